package dev.keel.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new generation's first snapshot leaves a small WAL as it is (no checkpoint: the replica uploads the
 * whole WAL index beside the snapshot, and restore replays it over the db file), a large one is
 * checkpointed first, as is a db file written too recently to tell whether another connection's
 * checkpoint wrote into it while it was read; a later snapshot always is. Every case restores to the application's data,
 * through both the test-only restore and the production one.
 */
class FirstSnapshotTest {
    private static final Duration SNAPSHOT_INTERVAL = Duration.ofMillis(300);

    @TempDir
    Path dir;

    @Test
    void smallWalIsReplayedOverTheSnapshotWithoutACheckpoint() throws Exception {
        try (Connection app = appWithRowsInWal(20)) {
            try (Replicator r = start(SNAPSHOT_INTERVAL)) {
                r.sync();
                assertThat(snapshotIndexes()).as("no checkpoint moved the WAL to a new index").containsExactly(0L);
                assertRestores(app, "small");

                TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('after the first snapshot')");
                Thread.sleep(SNAPSHOT_INTERVAL.toMillis() + 50);
                r.sync(); // the periodic snapshot is due

                assertThat(snapshotIndexes()).as("a later snapshot checkpoints first: the replica holds index 0")
                        .hasSize(2).allMatch(i -> i <= 1);
                assertThat(snapshotIndexes().get(1)).isEqualTo(1L);
                assertRestores(app, "later");
            }
        }
    }

    @Test
    void aDatabaseFileWrittenJustNowIsCheckpointedBeforeTheFirstSnapshot() throws Exception {
        try (Connection app = appWithRowsInWal(20)) {
            // As another connection's checkpoint would leave it: a write in this clock tick could hide
            // another one while the snapshot reads the file.
            Files.setLastModifiedTime(dir.resolve("app.db"), FileTime.from(Instant.now()));
            try (Replicator r = start(null)) {
                r.sync();
                assertThat(snapshotIndexes()).as("checkpointed: the snapshot starts the next WAL index").containsExactly(1L);
                assertRestores(app, "recent");
            }
        }
    }

    @Test
    void largeWalIsCheckpointedBeforeTheFirstSnapshot() throws Exception {
        try (Connection app = appWithRowsInWal(400)) {
            try (Replicator r = start(null)) {
                r.sync();
                // (the round's own checkpoint may come first: the WAL nears min-checkpoint-page-count)
                assertThat(snapshotIndexes()).as("checkpointed: the snapshot starts a later WAL index").hasSize(1)
                        .allMatch(i -> i >= 1);
                assertRestores(app, "large");
            }
        }
    }

    /** The application's connection, kept open so the WAL stays, with {@code rows} single-row commits in it. */
    private Connection appWithRowsInWal(int rows) throws Exception {
        Connection app = TestDatabases.open(dir.resolve("app.db"));
        TestDatabases.exec(app, "PRAGMA wal_autocheckpoint=0", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        for (int i = 0; i < rows; i++) TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('row " + i + "')");
        // The db file's time settles (Keel checkpoints first when it is within 50 ms of the snapshot).
        Files.setLastModifiedTime(dir.resolve("app.db"), FileTime.from(Instant.now().minusSeconds(1)));
        return app;
    }

    private Replicator start(Duration snapshotInterval) {
        DatabaseConfig db = new DatabaseConfig(dir.resolve("app.db"), null, Duration.ofMillis(50), null, 1000, 10000,
                List.of(new ReplicaConfig("dir", new ReplicaStorage.File(dir.resolve("replica")), Duration.ofMillis(50),
                        snapshotInterval, null, null, null)));
        return Replicator.configure().database(db).backgroundLoops(false).start();
    }

    private List<Long> snapshotIndexes() throws Exception {
        List<Long> indexes = new ArrayList<>();
        try (FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"))) {
            for (var o : client.list("generations/")) ReplicaLayout.parseSnapshot(o).map(SnapshotInfo::index).ifPresent(indexes::add);
        }
        indexes.sort(null);
        return indexes;
    }

    private void assertRestores(Connection app, String name) throws Exception {
        List<String> expected = TestDatabases.dump(app);
        Path simple = TestDatabases.restore(dir.resolve("replica"), dir.resolve(name + "-test.db"));
        Path production = TestDatabases.restoreWithRestorer(dir.resolve("replica"), dir.resolve(name + "-restorer.db"));
        assertThat(TestDatabases.dump(simple)).isEqualTo(expected);
        assertThat(TestDatabases.dump(production)).isEqualTo(expected);
    }
}
