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
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicatorTest {
    @TempDir
    Path dir;

    private DatabaseConfig config(Path db, Path replica, int minPages) {
        return new DatabaseConfig(db, null, Duration.ofMillis(50), Duration.ofMinutes(1), minPages, 0,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica), Duration.ofMillis(50), null, null, null, null)));
    }

    private Replicator manual(DatabaseConfig config, ReplicationListener listener) {
        return Replicator.configure().databases(List.of(config)).listener(listener).backgroundLoops(false).start();
    }

    private static void insert(Connection c, int from, int count) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
            for (int i = from; i < from + count; i++) {
                ps.setInt(1, i);
                ps.setString(2, "row " + i + " " + "x".repeat(i % 300));
                ps.executeUpdate();
            }
        }
    }

    @Test
    void aSecondReplicatorOnTheSameDatabaseIsRefusedUntilTheFirstStops() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            DatabaseConfig config = config(db, dir.resolve("replica"), 0);
            try (Replicator first = manual(config, new ReplicationListener() {
            })) {
                first.sync();
                assertThatThrownBy(() -> manual(config, new ReplicationListener() {
                }))
                        .isInstanceOfSatisfying(KeelException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
                            assertThat(e.describe()).contains(db.toString()).contains("already replicating");
                        });
                insert(app, 0, 10);
                first.sync(); // the refused start left the first one intact
            }
            try (Replicator again = manual(config, new ReplicationListener() {
            })) {
                again.sync();
                assertThat(again.position(db)).isNotNull();
            }
        }
    }

    @Test
    void replicaRestoresToTheSourceAcrossCheckpoints() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        List<String> generations = new CopyOnWriteArrayList<>();
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            insert(app, 0, 50);
            try (Replicator r = manual(config(db, replica, 20), new ReplicationListener() {
                @Override
                public void generationStarted(Path d, dev.keel.replication.api.Generation g, String reason) {
                    generations.add(g.id());
                }
            })) {
                r.sync();
                insert(app, 50, 200);
                r.sync();
                insert(app, 250, 100);
                r.sync();
                Position pos = r.position(db);
                assertThat(pos.index()).as("checkpoints at 20 pages moved the WAL index on").isGreaterThan(0);
                assertThat(r.replicaPosition(db, "local")).isEqualTo(pos);
            }
            assertThat(generations).hasSize(1);
            List<ObjectInfo> objects = new FileReplicaClient(replica).list("generations/");
            assertThat(objects).anyMatch(o -> o.key().endsWith(".snapshot.lz4"));
            assertThat(objects.stream().filter(o -> o.key().endsWith("_00000000.wal.lz4")).count())
                    .as("segments of several WAL indexes").isGreaterThanOrEqualTo(2);
            Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
            assertThat(dump(out)).isEqualTo(dump(app)).hasSize(350);
        }
    }

    @Test
    void restartContinuesTheGenerationWhenTheWalWasLeftAlone() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        List<String> reasons = new CopyOnWriteArrayList<>();
        ReplicationListener listener = new ReplicationListener() {
            @Override
            public void generationStarted(Path d, dev.keel.replication.api.Generation g, String reason) {
                reasons.add(reason);
            }
        };
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            Position first;
            try (Replicator r = manual(config(db, replica, 1000), listener)) {
                insert(app, 0, 10);
                r.sync();
                first = r.replicaPosition(db, "local");
            }
            insert(app, 10, 10); // while Keel is stopped, no checkpoint
            try (Replicator r = manual(config(db, replica, 1000), listener)) {
                r.sync();
                Position now = r.replicaPosition(db, "local");
                assertThat(now.generation()).isEqualTo(first.generation());
                assertThat(now.offset()).isGreaterThan(first.offset());
            }
            assertThat(reasons).hasSize(1);

            exec(app, "PRAGMA wal_checkpoint(TRUNCATE)"); // the WAL restarts while Keel is stopped
            insert(app, 20, 10);
            try (Replicator r = manual(config(db, replica, 1000), listener)) {
                r.sync();
                assertThat(r.replicaPosition(db, "local").generation()).isNotEqualTo(first.generation());
            }
            assertThat(reasons).hasSize(2);
            assertThat(reasons.get(1)).contains("restarted");
            Path out = TestDatabases.restore(replica, dir.resolve("restored.db"));
            assertThat(dump(out)).isEqualTo(dump(app)).hasSize(30);
        }
    }

    @Test
    void snapshotIntervalAddsSnapshotsAtNewIndexes() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        DatabaseConfig config = new DatabaseConfig(db, null, null, null, 0, 0,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica), null, Duration.ofMillis(1), null, null, null)));
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            try (Replicator r = manual(config, ReplicationListener.NONE)) {
                for (int i = 0; i < 3; i++) {
                    insert(app, i * 10, 10);
                    r.sync();
                    Thread.sleep(5);
                }
            }
            List<String> snapshots = new FileReplicaClient(replica).list("generations/").stream().map(ObjectInfo::key)
                    .filter(k -> k.endsWith(".snapshot.lz4")).sorted().toList();
            assertThat(snapshots).hasSizeGreaterThanOrEqualTo(3);
            assertThat(dump(TestDatabases.restore(replica, dir.resolve("restored.db")))).isEqualTo(dump(app)).hasSize(30);
        }
    }

    @Test
    void validationComparesTheRestoredReplicaWithTheLiveDatabase() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            try (Replicator r = manual(config(db, replica, 30), ReplicationListener.NONE)) {
                insert(app, 0, 100);
                r.sync();
                insert(app, 100, 50);
                exec(app, "UPDATE t SET v = 'changed' WHERE id % 4 = 0");
                assertThat(r.validate()).isTrue();
                insert(app, 150, 10);
                assertThat(r.validate()).isTrue();
                // Damage the replica behind Keel's back: the next validation must notice.
                FileReplicaClient client = new FileReplicaClient(replica);
                List<ObjectInfo> segments = client.list("generations/").stream()
                        .filter(o -> o.key().endsWith(".wal.lz4")).toList();
                client.delete(List.of(segments.stream().max(java.util.Comparator.comparing(ObjectInfo::key)).orElseThrow().key()));
                insert(app, 160, 1);
                boolean valid;
                try {
                    valid = r.validate();
                } catch (KeelException e) {
                    valid = false; // a restore that refuses a damaged replica counts as a failed validation too
                }
                assertThat(valid).isFalse();
            }
        }
    }

    @Test
    void missingDatabaseAndNonSqliteFileAreClearErrors() throws Exception {
        Path missing = dir.resolve("missing.db");
        assertThatThrownBy(() -> manual(config(missing, dir.resolve("r1"), 0), ReplicationListener.NONE))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.subject()).contains("missing.db");
                });
        Path text = dir.resolve("notes.db");
        Files.writeString(text, "these are not the pages you are looking for ".repeat(10));
        assertThatThrownBy(() -> manual(config(text, dir.resolve("r2"), 0), ReplicationListener.NONE))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("not a SQLite database");
                });
        assertThat(Files.readString(text)).startsWith("these are not");
    }

    @Test
    void aSymlinkedDatabaseIsReplicatedFromTheFileItPointsTo() throws Exception {
        Path real = Files.createDirectories(dir.resolve("data")).resolve("app-v2.db");
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("links")).resolve("current.db"), real);
        Path replica = dir.resolve("replica");
        try (Connection app = TestDatabases.open(link)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            insert(app, 0, 50);
            try (Replicator r = manual(config(link, replica, 0), ReplicationListener.NONE)) {
                r.sync();
                insert(app, 50, 50);
                r.sync();
                assertThat(r.position(link)).isNotNull();
                assertThat(r.position(real)).isEqualTo(r.position(link));
            }
            // SQLite keeps -wal beside the file the link points to; Keel's state lives there too.
            assertThat(dir.resolve("data/.app-v2.db-keel")).isDirectory();
            assertThat(dir.resolve("links/.current.db-keel")).doesNotExist();
            assertThat(dump(TestRestore.restore(replica, dir.resolve("restored.db")))).isEqualTo(dump(app));
        }
    }

    @Test
    void twoDatabasesWritingOneReplicaAreRefusedBeforeAnythingOpens() throws Exception {
        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        try (Connection ca = TestDatabases.open(a); Connection cb = TestDatabases.open(b)) {
            exec(ca, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            exec(cb, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            Path shared = dir.resolve("replica");
            assertThatThrownBy(() -> Replicator.configure().databases(List.of(config(a, shared, 0), config(b, shared, 0)))
                    .backgroundLoops(false).start())
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains(a.toString()).contains(b.toString()).contains(shared.toString());
                        assertThat(e.hint()).isNotBlank();
                    });
            assertThat(shared).doesNotExist();
            assertThat(dir.resolve(".a.db-keel")).doesNotExist();
        }
    }

    @Test
    void aHardLinkToAListedDatabaseIsTheSameDatabase() throws Exception {
        Path a = dir.resolve("a.db");
        try (Connection ca = TestDatabases.open(a)) {
            exec(ca, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            Path hard = Files.createLink(dir.resolve("hard.db"), a);
            assertThatThrownBy(() -> Replicator.configure().databases(List.of(config(a, dir.resolve("r1"), 0),
                    config(hard, dir.resolve("r2"), 0))).backgroundLoops(false).start())
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains("same database file");
                    });
        }
    }
}
