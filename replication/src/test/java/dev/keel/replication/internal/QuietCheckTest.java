package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.TestDatabases;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cheap check an idle database costs each tick must never call a database quiet when a round
 * would copy something: after small commits, after a transaction that spilled frames into the WAL
 * before it committed (the frames were there, uncommitted, at the last round), and after Keel's own
 * checkpoint restarted the WAL inside a larger file (appends then do not grow the file).
 */
class QuietCheckTest {
    @TempDir
    Path dir;

    @Test
    void everyCommitEndsTheQuietAndARoundCopiesIt() throws Exception {
        long seed = Long.getLong("keel.seed", System.nanoTime());
        Random random = new Random(seed);
        Path db = dir.resolve("app.db");
        try (Connection app = TestDatabases.open(db)) {
            TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)", "PRAGMA wal_autocheckpoint = 0",
                    "PRAGMA cache_size = 5"); // a transaction of more than 5 pages spills into the WAL before it commits
            DatabaseConfig config = new DatabaseConfig(db, null, null, null, 40, 0, List.of());
            try (DatabaseMonitor monitor = DatabaseMonitor.open(config, ReplicationListener.NONE, WriteGate.NONE)) {
                monitor.sync();
                assertThat(monitor.quiet()).as("seed %d: nothing written since the round", seed).isTrue();
                int id = 0;
                for (int step = 0; step < 60; step++) {
                    int action = random.nextInt(3);
                    if (action == 0) {
                        int rows = 1 + random.nextInt(3);
                        insert(app, id, rows);
                        id += rows;
                    } else if (action == 1) {
                        app.setAutoCommit(false);
                        insert(app, id, 30);
                        id += 30;
                        // the spilled frames are in the WAL, not committed: a round copies nothing and goes quiet
                        assertThat(monitor.sync()).as("seed %d step %d: uncommitted frames copied", seed, step).isZero();
                        assertThat(monitor.quiet()).as("seed %d step %d", seed, step).isTrue();
                        app.commit();
                        app.setAutoCommit(true);
                    }
                    if (action != 2) {
                        assertThat(monitor.quiet()).as("seed %d step %d: a commit after the last round", seed, step).isFalse();
                        assertThat(monitor.sync()).as("seed %d step %d: bytes copied", seed, step).isPositive();
                    } else {
                        monitor.sync();
                    }
                    assertThat(monitor.quiet()).as("seed %d step %d: right after a round", seed, step).isTrue();
                }
                assertThat(monitor.position().index()).as("seed %d: Keel's checkpoints restarted the WAL", seed).isPositive();
            }
        }
    }

    private static void insert(Connection app, int from, int rows) throws Exception {
        try (PreparedStatement ps = app.prepareStatement("INSERT INTO t (id, b) VALUES (?, randomblob(3000))")) {
            for (int i = 0; i < rows; i++) {
                ps.setInt(1, from + i);
                ps.executeUpdate();
            }
        }
    }
}
