package dev.keel.replication.restore;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A real database replicated by Keel's {@link Replicator} into a directory replica, with a record of
 * every state the replica acknowledged (the rows of table {@code t} after each sync). Checkpoint
 * thresholds are tiny, so a few commits span several WAL indexes; {@link #snapshot()} adds a snapshot
 * and {@link #newGeneration()} makes the replicator start a new generation, as after lost local state.
 */
final class KeelHistory implements AutoCloseable {
    /** One acknowledged state: the replica position and the rows it holds. */
    record State(Position position, List<String> rows) {
    }

    final Path db;
    final Path replica;
    private final Connection app;
    private final List<State> states = new ArrayList<>();
    private Replicator replicator;
    private int nextId = 1;

    KeelHistory(Path dir) throws Exception {
        this(dir, dir.resolve("app.db"), dir.resolve("replica"));
    }

    KeelHistory(Path dir, Path db, Path replica) throws Exception {
        this.db = db;
        this.replica = replica;
        Files.createDirectories(dir);
        app = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("PRAGMA wal_autocheckpoint=0"); // Keel checkpoints, as it recommends
            s.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT)");
        }
        replicator = start(null);
        sync();
    }

    private Replicator start(Duration snapshotInterval) {
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 4, 16, List.of(
                new ReplicaConfig("local", new ReplicaStorage.File(replica), null, snapshotInterval, null, null, null)));
        return Replicator.configure().databases(List.of(config)).backgroundLoops(false).start();
    }

    /** Commits {@code rows} rows of random text (as one transaction) and syncs. */
    void commit(int rows, Random random) throws Exception {
        app.setAutoCommit(false);
        try (Statement s = app.createStatement()) {
            for (int i = 0; i < rows; i++) {
                byte[] b = new byte[20 + random.nextInt(600)];
                random.nextBytes(b);
                s.execute("INSERT INTO t(id, v) VALUES (" + nextId++ + ", '" + java.util.HexFormat.of().formatHex(b) + "')");
            }
            if (random.nextInt(4) == 0) s.execute("DELETE FROM t WHERE id % 7 = " + random.nextInt(7));
        }
        app.commit();
        app.setAutoCommit(true);
        sync();
    }

    /** Syncs and records the state the replica acknowledged. */
    void sync() throws IOException, SQLException {
        replicator.sync();
        Position acknowledged = replicator.replicaPosition(db, "local");
        if (!acknowledged.equals(replicator.position(db))) {
            throw new AssertionError("the replica acknowledged " + acknowledged + ", the shadow WAL is at " + replicator.position(db));
        }
        states.add(new State(acknowledged, TestReplica.rows(db)));
    }

    /** Writes a snapshot of the current state into the current generation. */
    void snapshot() throws Exception {
        replicator.close();
        Thread.sleep(2);
        replicator = start(Duration.ofMillis(1));
        sync();
        replicator.close();
        replicator = start(null);
    }

    /** Stops the replicator, loses its local state and starts again: the replica gets a new generation. */
    void newGeneration() throws Exception {
        replicator.close();
        Path shadow = db.resolveSibling("." + db.getFileName() + "-keel");
        try (Stream<Path> files = Files.walk(shadow)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        replicator = start(null);
        sync();
    }

    /** Every acknowledged state, oldest first. */
    List<State> states() {
        return List.copyOf(states);
    }

    /** The newest acknowledged state. */
    State latest() {
        return states.get(states.size() - 1);
    }

    @Override
    public void close() throws SQLException {
        replicator.close();
        app.close();
    }
}
