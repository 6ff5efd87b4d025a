package dev.keel.replication;

import static dev.keel.replication.TestDatabases.dump;
import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replica whose storage is down: what Keel costs locally and against the storage meanwhile. */
class OutageTest {
    @TempDir
    Path dir;

    private static void insert(Connection app, int from, int count, int bytes) throws Exception {
        for (int i = from; i < from + count; i++) {
            exec(app, "INSERT INTO t (id, v) VALUES (" + i + ", randomblob(" + bytes + "))");
        }
    }

    private static long filesIn(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void aSnapshotThatFailedToUploadIsRetriedNotPreparedAgainEveryRound() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        OfflineClient client = new OfflineClient(new FileReplicaClient(replica));
        AtomicInteger prepared = new AtomicInteger();
        ReplicationListener listener = new ReplicationListener() {
            @Override
            public void snapshotPrepared(Path d, String r, Position position) {
                prepared.incrementAndGet();
            }
        };
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 50, 0,
                List.of(new ReplicaConfig("s3", new ReplicaStorage.File(replica), null, null, null, null, null)));
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            insert(app, 0, 1200, 5000); // ~6 MB of incompressible rows: the snapshot goes to a temp file
            try (Replicator r = EngineOptions.DEFAULT.withClients(rc -> client).start(Replicator.configure().databases(List.of(config))
                    .listener(listener).backgroundLoops(false).maxShadowBacklog(1_000_000))) {
                r.sync();
                client.offline(true);
                for (int i = 0; i < 8 && r.replicaPosition(db, "s3") != null; i++) {
                    insert(app, 10_000 + i * 100, 100, 900);
                    assertThatThrownBy(r::sync).hasMessageContaining("connection refused");
                    r.boundShadow();
                }
                assertThat(r.replicaPosition(db, "s3")).as("backlog dropped").isNull();

                prepared.set(0);
                Path tmp = db.resolveSibling(".app.db-keel").resolve("tmp");
                for (int round = 0; round < 25; round++) {
                    insert(app, 20_000 + round, 1, 500);
                    assertThatThrownBy(r::sync).hasMessageContaining("connection refused");
                    r.boundShadow();
                    assertThat(filesIn(tmp)).as("temp files after round %d", round).isLessThanOrEqualTo(1);
                }
                assertThat(prepared.get()).as("snapshots prepared during the outage").isEqualTo(1);

                client.offline(false);
                insert(app, 30_000, 10, 900);
                r.sync();
                assertThat(prepared.get()).as("the kept snapshot was uploaded").isEqualTo(1);
                assertThat(r.replicaPosition(db, "s3")).isEqualTo(r.position(db));
                assertThat(filesIn(tmp)).isZero();
            }
            Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
            assertThat(dump(out)).isEqualTo(dump(app));
        }
    }

    @Test
    void aKeptSnapshotFurtherBehindThanTheBacklogLimitIsReplacedSoTheShadowStaysBounded() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        OfflineClient client = new OfflineClient(new FileReplicaClient(replica)).offline(true);
        AtomicInteger prepared = new AtomicInteger();
        ReplicationListener listener = new ReplicationListener() {
            @Override
            public void snapshotPrepared(Path d, String r, Position position) {
                prepared.incrementAndGet();
            }
        };
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 50, 0,
                List.of(new ReplicaConfig("s3", new ReplicaStorage.File(replica), null, null, null, null, null)));
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            try (Replicator r = EngineOptions.DEFAULT.withClients(rc -> client).start(Replicator.configure().databases(List.of(config))
                    .listener(listener).backgroundLoops(false).maxShadowBacklog(200_000))) {
                // offline from the start: the listing fails, so start with a listing that works
                client.offline(false);
                r.sync();
                client.offline(true);
                for (int i = 0; i < 8; i++) {
                    insert(app, i * 100, 100, 900);
                    assertThatThrownBy(r::sync).hasMessageContaining("connection refused");
                    r.boundShadow();
                }
                long shadowBytes;
                try (Stream<Path> files = Files.walk(db.resolveSibling(".app.db-keel"))) {
                    shadowBytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
                }
                assertThat(shadowBytes).as("shadow WAL bounded").isLessThan(1_500_000);
                assertThat(prepared.get()).as("a new snapshot after each limit's worth of WAL").isBetween(1, 8);
                client.offline(false);
                r.sync();
            }
            Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
            assertThat(dump(out)).isEqualTo(dump(app)).hasSize(800);
        }
    }

    @Test
    void theDatabasesOwnBacklogLimitWinsOverTheReplicatorsDefault() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        OfflineClient client = new OfflineClient(new FileReplicaClient(replica));
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 50, 0,
                List.of(new ReplicaConfig("s3", new ReplicaStorage.File(replica), null, null, null, null, null)), 200_000);
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            try (Replicator r = EngineOptions.DEFAULT.withClients(rc -> client).start(Replicator.configure().databases(List.of(config))
                    .backgroundLoops(false))) {
                r.sync();
                client.offline(true);
                for (int i = 0; i < 3; i++) {
                    insert(app, i * 100, 100, 900);
                    // The public API says the storage failed (exit 69), naming the replica and the database.
                    assertThatThrownBy(r::sync).isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.subject()).isEqualTo(client.describe());
                        assertThat(e.getMessage()).contains("connection refused").contains(db.toString());
                    });
                    r.boundShadow();
                }
                assertThat(r.replicaPosition(db, "s3")).as("backlog dropped at the database's 200 kB").isNull();
                client.offline(false);
            }
        }
    }

    @Test
    void aFailingReplicaBacksOffInsteadOfRetryingEverySyncInterval() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        OfflineClient client = new OfflineClient(new FileReplicaClient(replica));
        DatabaseConfig config = new DatabaseConfig(db, null, Duration.ofMillis(20), null, 0, 0,
                List.of(new ReplicaConfig("s3", new ReplicaStorage.File(replica), Duration.ofMillis(10), null, null, null, null)));
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            insert(app, 0, 10, 100);
            try (Replicator r = EngineOptions.DEFAULT.withClients(rc -> client).start(Replicator.configure().databases(List.of(config)))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while ((r.position(db) == null || !r.position(db).equals(r.replicaPosition(db, "s3")))
                        && System.nanoTime() < deadline) Thread.sleep(10);
                while (!r.position(db).equals(r.replicaPosition(db, "s3")) && System.nanoTime() < deadline) Thread.sleep(10);
                client.offline(true);
                client.writes.set(0);
                insert(app, 10, 1, 100);
                Thread.sleep(1600);
                int attempts = client.writes.get();
                // every 10 ms would be ~160 attempts; backing off from 100 ms: about 5
                assertThat(attempts).as("upload attempts in 1.6 s of outage").isBetween(1, 12);
                client.offline(false);
                insert(app, 11, 1, 100);
                deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!r.position(db).equals(r.replicaPosition(db, "s3")) && System.nanoTime() < deadline) Thread.sleep(10);
                assertThat(r.replicaPosition(db, "s3")).as("caught up after the outage").isEqualTo(r.position(db));
            }
        }
    }

    /**
     * A storage that loses a write it acknowledged when it crashes (Azurite killed with SIGKILL): the
     * replica must not continue its generation past the hole, or a restore refuses it.
     */
    @Test
    void aSegmentTheStorageLostInAnOutageStartsANewGenerationSoARestoreHasNoGap() throws Exception {
        loseAnAcknowledgedSegmentInAnOutage(true);
    }

    /** The same loss found by the final sync of a stop right after the outage: it still ends current. */
    @Test
    void aSegmentTheStorageLostInAnOutageIsMadeGoodByTheFinalSync() throws Exception {
        loseAnAcknowledgedSegmentInAnOutage(false);
    }

    private void loseAnAcknowledgedSegmentInAnOutage(boolean syncAfterwards) throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        OfflineClient client = new OfflineClient(new FileReplicaClient(replica));
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 50, 0,
                List.of(new ReplicaConfig("s3", new ReplicaStorage.File(replica), null, null, null, null, null)));
        Position before;
        Position after;
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            insert(app, 0, 50, 200);
            try (Replicator r = EngineOptions.DEFAULT.withClients(rc -> client).start(Replicator.configure().databases(List.of(config))
                    .backgroundLoops(false))) {
                r.sync();
                insert(app, 100, 20, 200);
                r.sync(); // a WAL segment the storage acknowledged
                before = r.replicaPosition(db, "s3");
                client.offline(true);
                insert(app, 200, 20, 200);
                assertThatThrownBy(r::sync).hasMessageContaining("connection refused");
                assertThat(client.loseLastWrite()).as("the object the storage loses").contains("/wal/");
                client.offline(false);
                insert(app, 300, 20, 200);
                if (syncAfterwards) {
                    for (int i = 0; i < 5 && !r.position(db).equals(r.replicaPosition(db, "s3")); i++) r.sync();
                    assertThat(r.replicaPosition(db, "s3")).as("caught up after the outage").isEqualTo(r.position(db));
                }
                r.close(); // the final sync: throws when a replica is left behind
                after = r.replicaPosition(db, "s3");
            }
            Path out = TestDatabases.restoreWithRestorer(replica, dir.resolve("restored.db"));
            assertThat(dump(out)).as("every committed row restored").isEqualTo(dump(app)).hasSize(110);
            assertThat(dump(TestDatabases.restore(replica, dir.resolve("restored-by-test.db")))).isEqualTo(dump(app));
        }
        assertThat(after.generation()).as("a new generation after the loss").isNotEqualTo(before.generation());
    }
}
