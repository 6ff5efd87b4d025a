package dev.keel.replication;

import static dev.keel.replication.TestDatabases.dump;
import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.internal.WriteGate;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskFullAndRetentionTest {
    @TempDir
    Path dir;

    private static void insert(Connection app, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) exec(app, "INSERT INTO t (id, v) VALUES (" + i + ", randomblob(900))");
    }

    @Test
    void fullShadowDiskIsReportedAndReplicationResumesWhenSpaceReturns() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        AtomicBoolean full = new AtomicBoolean();
        WriteGate disk = (file, bytes) -> {
            if (full.get()) throw new IOException("No space left on device: " + file);
        };
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 20, 0,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica), null, null, null, null, null)));
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            try (Replicator r = EngineOptions.DEFAULT.withWriteGate(disk).start(Replicator.configure().databases(List.of(config)).backgroundLoops(false))) {
                insert(app, 0, 30);
                r.sync();
                var before = r.replicaPosition(db, "local");

                full.set(true);
                insert(app, 30, 200); // the application keeps writing while Keel's disk is full
                // The public API reports it as Keel's local I/O failure (exit 74), naming the database.
                assertThatThrownBy(r::sync).isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IO);
                    assertThat(e.getMessage()).contains("No space left");
                    assertThat(e.subject()).isEqualTo(db.toString());
                    assertThat(e.getCause()).isInstanceOf(IOException.class);
                });
                assertThatThrownBy(r::sync).isInstanceOf(KeelException.class);
                assertThat(r.replicaPosition(db, "local")).isEqualTo(before);

                full.set(false);
                insert(app, 230, 10);
                r.sync();
                assertThat(r.replicaPosition(db, "local").generation()).isEqualTo(before.generation());
            }
            Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
            assertThat(dump(out)).isEqualTo(dump(app)).hasSize(240);
        }
    }

    @Test
    void aReplicaTooFarBehindGivesUpItsBacklogAndStartsOverWithASnapshot() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        OfflineClient[] client = new OfflineClient[1];
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 50, 0,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica), null, null, null, null, null)));
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            try (Replicator r = EngineOptions.DEFAULT.withClients(rc -> client[0] = new OfflineClient(new FileReplicaClient(replica)))
                    .start(Replicator.configure().databases(List.of(config)).backgroundLoops(false).maxShadowBacklog(200_000))) {
                insert(app, 0, 10);
                r.sync();
                var before = r.position(db).generation();
                client[0].offline(true);
                for (int i = 0; i < 6; i++) {
                    insert(app, 10 + i * 100, 100);
                    assertThatThrownBy(r::sync).hasMessageContaining("unreachable");
                    r.boundShadow();
                }
                assertThat(r.replicaPosition(db, "local")).as("backlog dropped").isNull();
                Path shadow = db.resolveSibling(".app.db-keel");
                long shadowBytes;
                try (var files = java.nio.file.Files.walk(shadow)) {
                    shadowBytes = files.filter(java.nio.file.Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
                }
                assertThat(shadowBytes).as("shadow WAL bounded").isLessThan(1_500_000);
                client[0].offline(false);
                r.sync();
                assertThat(r.replicaPosition(db, "local")).isNotNull();
                assertThat(r.replicaPosition(db, "local").generation()).as("a new generation: no gap inside one").isNotEqualTo(before);
            }
            Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
            assertThat(dump(out)).isEqualTo(dump(app)).hasSize(610);
        }
    }

    @Test
    void retentionRemovesOldGenerationsAndKeepsTheCurrentOneRestorable() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 0, 0,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica), null, null, Duration.ofMillis(1), null, null)));
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            for (int g = 0; g < 3; g++) {
                try (Replicator r = Replicator.configure().databases(List.of(config)).backgroundLoops(false).start()) {
                    insert(app, g * 10, 10);
                    r.sync();
                }
                exec(app, "PRAGMA wal_checkpoint(TRUNCATE)"); // next start: a new generation
            }
            assertThat(generations(replica)).hasSize(3);
            try (Replicator r = Replicator.configure().databases(List.of(config)).backgroundLoops(false).start()) {
                insert(app, 30, 10);
                r.sync();
                Thread.sleep(5);
                r.enforceRetention();
                Generation current = r.position(db).generation();
                assertThat(generations(replica)).containsExactly(current.id());
            }
            Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
            assertThat(dump(out)).isEqualTo(dump(app)).hasSize(40);
        }
    }

    private static Set<String> generations(Path replica) throws IOException {
        Set<String> out = new TreeSet<>();
        for (ObjectInfo o : new FileReplicaClient(replica).list(ReplicaLayout.GENERATIONS + "/")) out.add(o.key().split("/")[1]);
        return out;
    }
}
