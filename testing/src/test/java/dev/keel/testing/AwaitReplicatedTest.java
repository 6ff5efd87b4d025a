package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Replicator.awaitReplicated}: the commit is on the replica when it returns (restored and read
 * back), without waiting for the sync interval; a replica whose storage is down is named on timeout.
 */
class AwaitReplicatedTest {
    /** Far longer than any test: a commit that reaches the replica was pushed there by the wait. */
    private static final Duration NEVER = Duration.ofHours(1);
    private static final Duration PATIENT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final Map<String, FaultyReplicaClient> clients = new HashMap<>();

    private Path database() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE payments (id INTEGER PRIMARY KEY, amount INTEGER)");
        }
        return db;
    }

    private ReplicaConfig replica(String name) {
        return new ReplicaConfig(name, new ReplicaStorage.File(dir.resolve(name)), NEVER, null, null, null, null);
    }

    private Replicator replicate(Path db, boolean loops, String... replicas) {
        List<ReplicaConfig> configs = new ArrayList<>();
        for (String name : replicas) {
            configs.add(replica(name));
            clients.put(dir.resolve(name).toString(), new FaultyReplicaClient(new FileReplicaClient(dir.resolve(name))));
        }
        DatabaseConfig config = new DatabaseConfig(db, null, NEVER, null, 0, 0, configs);
        return EngineOptions.DEFAULT.withClients(r -> clients.get(((ReplicaStorage.File) r.storage()).root().toString()))
                .start(Replicator.configure().database(config).backgroundLoops(loops));
    }

    private FaultyReplicaClient client(String name) {
        return clients.get(dir.resolve(name).toString());
    }

    private static void pay(Connection app, int id) throws Exception {
        try (Statement s = app.createStatement()) {
            s.execute("INSERT INTO payments (id, amount) VALUES (" + id + ", " + (id * 100) + ")");
        }
    }

    /** The ids in the replica, restored to a new file. */
    private List<Integer> restoredIds(String replica) throws Exception {
        Path out = dir.resolve("restored-" + replica + "-" + System.nanoTime() + ".db");
        try (FileReplicaClient c = new FileReplicaClient(dir.resolve(replica))) {
            Restorer.configure().from(c).output(out).restore();
        }
        List<Integer> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM payments ORDER BY id")) {
            while (rs.next()) ids.add(rs.getInt(1));
        }
        return ids;
    }

    @Test
    void returnsWithTheCommitOnEveryReplicaLongBeforeTheSyncInterval() throws Exception {
        Path db = database();
        try (Replicator r = replicate(db, true, "a", "b"); Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            r.awaitReplicated(db, PATIENT); // the first snapshot
            for (int id = 1; id <= 3; id++) {
                pay(app, id);
                r.awaitReplicated(db, PATIENT);
                assertThat(r.replicaPosition(db, "a")).isEqualTo(r.position(db));
                assertThat(restoredIds("a")).containsExactly(java.util.stream.IntStream.rangeClosed(1, id).boxed().toArray(Integer[]::new));
                assertThat(restoredIds("b")).contains(id);
            }
        }
    }

    @Test
    void withoutBackgroundLoopsTheCallerUploads() throws Exception {
        Path db = database();
        try (Replicator r = replicate(db, false, "a"); Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            pay(app, 7);
            r.awaitReplicated(db, PATIENT);
            assertThat(restoredIds("a")).containsExactly(7);
        }
    }

    @Test
    void manyThreadsEachSeeTheirOwnCommitReplicated() throws Exception {
        Path db = database();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try (Replicator r = replicate(db, true, "a")) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = t * 100;
                done.add(writers.submit(() -> {
                    try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                        app.createStatement().execute("PRAGMA busy_timeout = 10000");
                        for (int id = first; id < first + 5; id++) {
                            pay(app, id);
                            r.awaitReplicated(db, PATIENT);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            assertThat(restoredIds("a")).hasSize(20);
        } finally {
            writers.shutdownNow();
        }
    }

    @Test
    void aTimeoutNamesTheLaggingReplicaAndACountOfOneIsMetByTheOther() throws Exception {
        Path db = database();
        try (Replicator r = replicate(db, true, "good", "down"); Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            r.awaitReplicated(db, PATIENT);
            client("down").offline(true);
            pay(app, 42);
            KeelException e = catchThrowableOfType(KeelException.class, () -> r.awaitReplicated(db, Duration.ofMillis(500)));
            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
            assertThat(e.subject()).isEqualTo(client("down").describe());
            assertThat(e.getMessage()).contains("not replicated to every replica within the timeout", "replica down (")
                    .doesNotContain("replica good (");
            assertThat(e.hint()).isNotBlank();

            r.awaitReplicated(db, PATIENT, 1); // one replica is enough for this caller
            assertThat(restoredIds("good")).containsExactly(42);

            client("down").heal();
            r.awaitReplicated(db, PATIENT);
            assertThat(restoredIds("down")).containsExactly(42);
        }
    }

    @Test
    void anUnknownDatabaseOrABadTimeoutIsAClearError() throws Exception {
        Path db = database();
        try (Replicator r = replicate(db, true, "a")) {
            KeelException unknown = catchThrowableOfType(KeelException.class,
                    () -> r.awaitReplicated(dir.resolve("other.db"), PATIENT));
            assertThat(unknown.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(unknown.subject()).isEqualTo(dir.resolve("other.db").toString());
            assertThat(unknown.getMessage()).contains("not a database this replicator follows");
            KeelException negative = catchThrowableOfType(KeelException.class, () -> r.awaitReplicated(db, Duration.ofSeconds(-1)));
            assertThat(negative.code()).isEqualTo(ErrorCode.USAGE);
            KeelException none = catchThrowableOfType(KeelException.class, () -> r.awaitReplicated(db, PATIENT, 0));
            assertThat(none.code()).isEqualTo(ErrorCode.USAGE);
        }
    }
}
