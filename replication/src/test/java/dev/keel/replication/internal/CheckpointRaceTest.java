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
 * The application writes, checkpoints and tries to restart the WAL in the moments where Keel's main
 * connection holds no read transaction: between Keel's checkpoint and Keel taking the write lock, and
 * between Keel releasing the write lock and its own write. Keel's second connection holds the WAL then,
 * so none of it may start a new generation, and the replica restores to the source. Only a restart Keel
 * cannot rule out (its read began on a fully checkpointed WAL) is judged by the old frames.
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
    private void checkpointRacing(Connection app, AppAction betweenCheckpointAndWriteLock, AppAction beforeOwnWrite, int rows)
            throws Exception {
        checkpointRacing(app, null, betweenCheckpointAndWriteLock, beforeOwnWrite, rows);
    }

    /** As above, with {@code beforeCheckpoint} run once the 30 rows are written, before Keel's round. */
    private void checkpointRacing(Connection app, AppAction beforeCheckpoint, AppAction betweenCheckpointAndWriteLock,
                                  AppAction beforeOwnWrite, int rows) throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)", "PRAGMA wal_autocheckpoint = 0");
        try (DatabaseReplication d = open(db, replica)) {
            d.sync();
            insert(app, 0, 30);
            if (beforeCheckpoint != null) beforeCheckpoint.run();
            if (betweenCheckpointAndWriteLock != null) d.monitor().checkpointer().betweenCheckpointAndWriteLock(once(betweenCheckpointAndWriteLock));
            if (beforeOwnWrite != null) d.monitor().checkpointer().beforeOwnWrite(once(beforeOwnWrite));
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
    void framesAppendedAndCheckpointedWhileKeelsCheckpointWaitsForTheWriteLockAreCopied() throws Exception {
        try (Connection app = TestDatabases.open(dir.resolve("app.db"))) {
            checkpointRacing(app, () -> {
                // The application writes, checkpoints everything and writes again: without the fence its
                // second write would restart the WAL over frames Keel has not copied.
                insert(app, 30, 5);
                TestDatabases.exec(app, "PRAGMA wal_checkpoint(PASSIVE)");
                insert(app, 35, 100);
            }, null, 135);
        }
        assertThat(generations).hasSize(1);
    }

    @Test
    void framesAppendedBehindAReaderThenCheckpointedAndRestartedOverAreCopied() throws Exception {
        try (Connection app = TestDatabases.open(dir.resolve("app.db")); Connection reader = TestDatabases.open(dir.resolve("app.db"))) {
            checkpointRacing(app, () -> {
                // A reader holds a snapshot so the next writes append to the old WAL instead of restarting
                // it; then the application checkpoints everything and writes over them.
                reader.setAutoCommit(false);
                TestDatabases.exec(reader, "SELECT count(*) FROM t");
                insert(app, 30, 5);
                reader.commit();
                reader.setAutoCommit(true);
                TestDatabases.exec(app, "PRAGMA wal_checkpoint(PASSIVE)");
                insert(app, 35, 100);
            }, null, 135);
        }
        assertThat(generations).hasSize(1);
    }

    @Test
    void theApplicationWritingAndCheckpointingBeforeKeelsOwnWriteRestartsTheWalOnceAndNoMore() throws Exception {
        try (Connection app = TestDatabases.open(dir.resolve("app.db"))) {
            checkpointRacing(app, null, () -> {
                // The WAL is fully checkpointed: the application's first write restarts it; its checkpoint
                // cannot write those frames back while Keel's fence reads, so its next write cannot restart again.
                insert(app, 30, 2);
                TestDatabases.exec(app, "PRAGMA wal_checkpoint(PASSIVE)");
                insert(app, 32, 3);
            }, 35);
        }
        assertThat(generations).hasSize(1);
    }

    @Test
    void aRestartByTheApplicationAfterKeelsCheckpointWasHeldBackIsCopiedFirst() throws Exception {
        afterACheckpointHeldBackByAReader("PASSIVE", 3);
        assertThat(generations).hasSize(1);
    }

    @Test
    void manyRowsWrittenAfterACheckpointHeldBackByAReaderAreCopied() throws Exception {
        afterACheckpointHeldBackByAReader("PASSIVE", 100);
        assertThat(generations).hasSize(1);
    }

    @Test
    void aTruncateCheckpointByTheApplicationAfterKeelsCheckpointWasHeldBackLosesNothing() throws Exception {
        afterACheckpointHeldBackByAReader("TRUNCATE", 3);
        assertThat(generations).hasSize(1);
    }

    /**
     * Keel opens a WAL the application had already checkpointed completely, so its read (and the fence's)
     * reads the database file, which allows one restart: the application's write in the window restarts
     * the WAL before Keel holds the write lock, and {@link RestartProof} judges it by the old frames.
     */
    @Test
    void aRestartBeforeKeelsWriteLockIsProvenByTheOldFramesStillThere() throws Exception {
        restartBeforeTheWriteLockOnACheckpointedWal(3);
        assertThat(generations).hasSize(1);
    }

    @Test
    void aRestartBeforeKeelsWriteLockThatOverwroteTheOldFramesStartsANewGeneration() throws Exception {
        restartBeforeTheWriteLockOnACheckpointedWal(100);
        assertThat(generations).hasSize(2);
        assertThat(generations.get(1)).contains("cannot prove");
    }

    private void restartBeforeTheWriteLockOnACheckpointedWal(int rowsAfter) throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        try (Connection app = TestDatabases.open(db)) {
            TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)", "PRAGMA wal_autocheckpoint = 0");
            try (DatabaseReplication d = open(db, replica)) {
                d.sync(); // Keel's tables exist from here: the next open writes nothing
            }
            insert(app, 0, 30);
            TestDatabases.exec(app, "PRAGMA wal_checkpoint(PASSIVE)");
            try (DatabaseReplication d = open(db, replica)) {
                d.monitor().checkpointer().betweenCheckpointAndWriteLock(once(() -> insert(app, 30, rowsAfter)));
                d.sync();
                d.sync();
            }
            Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
            assertThat(TestDatabases.dump(out)).isEqualTo(TestDatabases.dump(app)).hasSize(30 + rowsAfter);
        }
    }

    /**
     * A reader keeps Keel's checkpoint from completing, so the WAL cannot restart. The reader ends, and
     * before Keel's own write the application appends a row Keel has not copied, checkpoints ({@code mode})
     * and writes {@code rowsAfter} rows: Keel's fence keeps those frames from being checkpointed, so the
     * WAL does not restart over them.
     */
    private void afterACheckpointHeldBackByAReader(String mode, int rowsAfter) throws Exception {
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
