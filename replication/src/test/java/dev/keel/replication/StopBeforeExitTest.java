package dev.keel.replication;

import static dev.keel.replication.TestDatabases.dump;
import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon stopped cleanly while no application has the database open, then started again with no
 * write in between, continues its generation: Keel's connection is the last one, and were SQLite to
 * close it, it would checkpoint the WAL into the database file and remove it, which the next start
 * could not tell from a checkpoint by another process.
 */
class StopBeforeExitTest {
    @TempDir
    Path dir;

    private final List<String> reasons = new CopyOnWriteArrayList<>();

    private Replicator start(Path db, Path replica) {
        DatabaseConfig config = new DatabaseConfig(db, null, Duration.ofMillis(50), Duration.ofMinutes(1), 1000, 0,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica), Duration.ofMillis(50), null, null, null, null)));
        return Replicator.configure().databases(List.of(config)).backgroundLoops(false).listener(new ReplicationListener() {
            @Override
            public void generationStarted(Path d, dev.keel.replication.api.Generation g, String reason) {
                reasons.add(reason);
            }
        }).start();
    }

    @Test
    void aCleanRestartWithNoOtherConnectionContinuesTheGeneration() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t (v) VALUES ('before the first start')");
        } // the application is gone: Keel's connection is the only one left

        Replicator first = start(db, replica);
        first.sync();
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "INSERT INTO t (v) VALUES ('while replicating')");
        }
        first.sync();
        Position stoppedAt = first.replicaPosition(db, "local");
        first.closeBeforeExit();
        assertThat(db.resolveSibling("app.db-wal")).as("the WAL is left for the next start").exists();

        try (Replicator again = start(db, replica)) {
            again.sync();
            Position now = again.replicaPosition(db, "local");
            assertThat(now.generation()).as("reasons: %s", reasons).isEqualTo(stoppedAt.generation());
            assertThat(now.index()).isEqualTo(stoppedAt.index());
        }
        assertThat(reasons).hasSize(1);
        assertThat(dump(TestDatabases.restore(replica, dir.resolve("restored.db")))).isEqualTo(dump(db)).hasSize(2);
    }
}
