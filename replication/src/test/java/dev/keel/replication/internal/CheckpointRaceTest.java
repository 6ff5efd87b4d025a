package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.TestDatabases;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application writes, checkpoints and restarts the WAL in the moments where Keel's main connection
 * holds no read transaction: between Keel's checkpoint and Keel taking the write lock, and between Keel's
 * own write and Keel reading the header it produced. Keel must either prove a restart continuous or start
 * a new generation; either way the replica restores to the source.
 */
class CheckpointRaceTest {
    @TempDir
    Path dir;

    private final List<String> generations = new CopyOnWriteArrayList<>();
    private final ReplicationListener listener = new ReplicationListener() {
        @Override
        public void generationStarted(Path db, Generation generation, String reason) {
            generations.add(reason);
        }
    };

    private DatabaseReplication open(Path db, Path replica) throws Exception {
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 10, 0,
                List.of(ReplicaConfig.of(new ReplicaStorage.File(replica))));
        return DatabaseReplication.open(config, listener, WriteGate.NONE, r -> ReplicaClients.open(r.storage()));
    }

    private static void insert(Connection app, int from, int count) throws SQLException {
        for (int i = from; i < from + count; i++) TestDatabases.exec(app, "INSERT INTO t (id, v) VALUES (" + i + ", randomblob(700))");
    }

    /** What the application does in one of the race windows. */
    @FunctionalInterface
    private interface AppAction {
        void run() throws SQLException;
    }

    private static Runnable once(AppAction action) {
        boolean[] done = {false};
        return () -> {
            if (done[0]) return;
            done[0] = true;
            try {
                action.run();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * Replicates 30 rows, runs Keel's next checkpoint with the application's actions in its race windows
     * (null for none), and checks that the replica restores to the source with {@code rows} rows.
     */
    private void checkpointRacing(Connection app, AppAction betweenCheckpointAndWriteLock, AppAction afterOwnWrite, int rows)
            throws Exception {
        checkpointRacing(app, null, betweenCheckpointAndWriteLock, afterOwnWrite, rows);
    }

    /** As above, with {@code beforeCheckpoint} run once the 30 rows are written, before Keel's round. */
    private void checkpointRacing(Connection app, AppAction beforeCheckpoint, AppAction betweenCheckpointAndWriteLock,
                                  AppAction afterOwnWrite, int rows) throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)", "PRAGMA wal_autocheckpoint = 0");
        try (DatabaseReplication d = open(db, replica)) {
            d.sync();
            insert(app, 0, 30);
            if (beforeCheckpoint != null) beforeCheckpoint.run();
            if (betweenCheckpointAndWriteLock != null) d.monitor().checkpointer().betweenCheckpointAndWriteLock(once(betweenCheckpointAndWriteLock));
            if (afterOwnWrite != null) d.monitor().checkpointer().afterOwnWrite(once(afterOwnWrite));
            d.sync();
            d.sync();
        }
        Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
        assertThat(TestDatabases.dump(out)).isEqualTo(TestDatabases.dump(app)).hasSize(rows);
    }

    @Test
    void aRestartByTheApplicationRightAfterKeelsCompleteCheckpointContinuesTheGeneration() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        try (Connection app = TestDatabases.open(db)) {
            TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)", "PRAGMA wal_autocheckpoint = 0");
            try (DatabaseReplication d = open(db, replica)) {
                d.sync();
                insert(app, 0, 30);
                Position before = d.monitor().position();
                // the first write after a complete checkpoint: SQLite restarts the WAL
                d.monitor().checkpointer().betweenCheckpointAndWriteLock(once(() -> insert(app, 30, 3)));
                d.sync();
                d.sync();
                Position after = d.monitor().position();
                assertThat(after.generation()).isEqualTo(before.generation());
                assertThat(after.index()).isGreaterThan(before.index());
            }
            assertThat(generations).hasSize(1);
            Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
            assertThat(TestDatabases.dump(out)).isEqualTo(TestDatabases.dump(app)).hasSize(33);
        }
    }

    @Test
    void framesAppendedCheckpointedAndRestartedBehindKeelsBackStartANewGeneration() throws Exception {
        try (Connection app = TestDatabases.open(dir.resolve("app.db")); Connection reader = TestDatabases.open(dir.resolve("app.db"))) {
            checkpointRacing(app, () -> {
                // A reader holds a snapshot so the next writes append to the old WAL instead of restarting
                // it; then the application checkpoints everything and restarts.
                reader.setAutoCommit(false);
                TestDatabases.exec(reader, "SELECT count(*) FROM t");
                insert(app, 30, 5);
                reader.commit();
                reader.setAutoCommit(true);
                TestDatabases.exec(app, "PRAGMA wal_checkpoint(PASSIVE)");
                insert(app, 35, 100); // restarts the WAL and overwrites the appended frames
            }, null, 135);
        }
        assertThat(generations).hasSize(2);
        assertThat(generations.get(1)).contains("cannot prove");
    }

    @Test
    void aSecondRestartRightAfterKeelsOwnWriteStartsANewGeneration() throws Exception {
        try (Connection app = TestDatabases.open(dir.resolve("app.db"))) {
            checkpointRacing(app, null, () -> {
                // Keel's write restarted the WAL; the application writes, checkpoints it all and writes
                // again, which restarts the WAL a second time over frames Keel never saw.
                insert(app, 30, 2);
                TestDatabases.exec(app, "PRAGMA wal_checkpoint(PASSIVE)");
                insert(app, 32, 3);
            }, 35);
        }
        assertThat(generations).hasSize(2);
        assertThat(generations.get(1)).contains("cannot prove");
    }

    @Test
    void aRestartByTheApplicationAfterKeelsWriteWentToTheOldWalIsProvenByTheFramesStillThere() throws Exception {
        afterKeelsWriteWentToTheOldWal("PASSIVE", 3);
        assertThat(generations).as("the appended frames were still in the file: copied, and the generation goes on").hasSize(1);
    }

    @Test
    void aRestartByTheApplicationThatOverwroteFramesKeelNeverSawStartsANewGeneration() throws Exception {
        afterKeelsWriteWentToTheOldWal("PASSIVE", 100);
        assertThat(generations).hasSize(2);
        assertThat(generations.get(1)).contains("cannot prove");
    }

    @Test
    void aTruncateCheckpointByTheApplicationAfterKeelsWriteStartsANewGeneration() throws Exception {
        afterKeelsWriteWentToTheOldWal("TRUNCATE", 3); // the appended frames are cut off with the file
        assertThat(generations).hasSize(2);
        assertThat(generations.get(1)).contains("cannot prove");
    }

    /**
     * A reader keeps Keel's own write from restarting the WAL, so it goes to the old WAL. The reader
     * ends, the application appends a row Keel has not copied, checkpoints everything ({@code mode})
     * and writes {@code rowsAfter} rows: its restart moves salt-1 on by one, exactly as Keel's own would have.
     */
    private void afterKeelsWriteWentToTheOldWal(String mode, int rowsAfter) throws Exception {
        try (Connection app = TestDatabases.open(dir.resolve("app.db")); Connection reader = TestDatabases.open(dir.resolve("app.db"))) {
            checkpointRacing(app, () -> {
                reader.setAutoCommit(false);
                TestDatabases.exec(reader, "SELECT count(*) FROM t");
            }, null, () -> {
                reader.commit();
                reader.setAutoCommit(true);
                insert(app, 30, 1);
                TestDatabases.exec(app, "PRAGMA wal_checkpoint(" + mode + ")");
                insert(app, 31, rowsAfter);
            }, 31 + rowsAfter);
        }
    }
}
