package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.TestDatabases;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shadow WAL is fsynced where it must be, not at every round: whatever a replica acknowledged is
 * durable in the shadow (after a power cut the continuity check must see what the replica holds), an
 * index that ended is durable before the next begins, and a round that only copies leaves the fsync to
 * the upload that follows (a busy database copies far more often than it uploads).
 */
class ShadowDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void whatAReplicaHoldsIsDurableInTheShadowAndRoundsAloneDoNotFsync() throws Exception {
        long seed = Long.getLong("keel.seed", System.nanoTime());
        Random random = new Random(seed);
        Path db = dir.resolve("app.db");
        Path replicaDir = dir.resolve("replica");
        try (Connection app = TestDatabases.open(db)) {
            TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)", "PRAGMA wal_autocheckpoint = 0");
            DatabaseConfig config = new DatabaseConfig(db, null, null, null, 30, 0, List.of());
            try (DatabaseMonitor monitor = DatabaseMonitor.open(config, ReplicationListener.NONE, WriteGate.NONE)) {
                Replica replica = new Replica(ReplicaConfig.of(new ReplicaStorage.File(replicaDir)),
                        new FileReplicaClient(replicaDir), monitor, ReplicationListener.NONE);
                monitor.replicaPositions(() -> replica.position() == null ? null : List.of(replica.claim()));
                monitor.sync();
                replica.sync();
                int roundsAhead = 0;
                long firstIndex = monitor.position().index();
                for (int step = 0; step < 80; step++) {
                    insert(app, step, 1 + random.nextInt(4));
                    long indexBefore = monitor.position().index();
                    monitor.sync();
                    Position head = monitor.position();
                    if (head.index() > indexBefore) {
                        assertThat(monitor.durablePosition()).as("seed %d step %d: the index that ended is durable", seed, step)
                                .isGreaterThanOrEqualTo(new Position(head.generation(), indexBefore, 0));
                    }
                    if (random.nextInt(3) == 0) {
                        replica.sync();
                        assertThat(replica.position()).as("seed %d step %d: uploaded to the head", seed, step)
                                .isEqualTo(monitor.position());
                        assertThat(monitor.durablePosition()).as("seed %d step %d: what the replica holds is durable", seed, step)
                                .isGreaterThanOrEqualTo(replica.position());
                    } else if (monitor.durablePosition().compareTo(head) < 0) {
                        roundsAhead++;
                    }
                }
                assertThat(roundsAhead).as("seed %d: rounds that copied without an fsync of their own", seed).isPositive();
                assertThat(replica.uploads()).as("seed %d: one snapshot, then WAL segments only", seed).isGreaterThan(10);
                assertThat(monitor.position().index()).as("seed %d: Keel's checkpoints started new indexes", seed)
                        .isGreaterThan(firstIndex);
            }
        }
    }

    private static void insert(Connection app, int step, int rows) throws Exception {
        try (PreparedStatement ps = app.prepareStatement("INSERT INTO t (id, b) VALUES (?, randomblob(3000))")) {
            for (int i = 0; i < rows; i++) {
                ps.setInt(1, step * 10 + i);
                ps.executeUpdate();
            }
        }
    }
}
