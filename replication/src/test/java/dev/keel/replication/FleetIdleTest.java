package dev.keel.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.api.DescriptorLimit;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an idle database costs: no storage request while nothing is written (over many monitor, sync and
 * checkpoint intervals; leases on, as by default), none for a restart whose local state says where every replica
 * stands (each lease is taken back at the database's first write), and a bounded number of open descriptors.
 */
class FleetIdleTest {
    private static final int DATABASES = 12;
    private static final Duration INTERVAL = Duration.ofMillis(40);
    /** Ends inside the idle windows below: an idle WAL must not be checkpointed for the interval alone. */
    private static final Duration CHECKPOINT_INTERVAL = INTERVAL.multipliedBy(12);

    @TempDir
    Path dir;

    private final Map<Path, CountingClient> clients = new ConcurrentHashMap<>();

    @Test
    void idleDatabasesMakeNoRequestsAndARestartListsNoReplica() throws Exception {
        List<DatabaseConfig> configs = createFleet();
        List<Connection> running = new ArrayList<>();
        for (DatabaseConfig db : configs) running.add(TestDatabases.open(db.path()));
        // Written just before Keel starts: the WAL Keel finds holds the application's frames.
        for (Connection app : running) TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('before keel started')");
        try (Replicator r = start(configs)) {
            awaitReplicated(r, configs);
            Thread.sleep(INTERVAL.toMillis() * 3); // the last rounds of the start finish
            clients.values().forEach(CountingClient::reset);
            Thread.sleep(INTERVAL.toMillis() * 25);
            for (CountingClient c : clients.values()) assertThat(c.total()).as("idle: %s", c).isZero();

            // One write: only its replica works, and only with a PUT (its position is known).
            Path written = configs.get(3).path();
            Position before = r.position(written);
            try (Connection app = TestDatabases.open(written)) {
                TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('after idle')");
            }
            awaitMoved(r, written, before);
            awaitReplicated(r, configs);
            for (DatabaseConfig db : configs) {
                CountingClient c = clients.get(db.path());
                if (db.path().equals(written)) {
                    assertThat(c.puts.get()).as("%s", c).isPositive(); // and retention may list it once after the upload
                } else {
                    assertThat(c.total()).as("%s", c).isZero();
                }
            }
        }

        // Restart on the same local state: no verify, list or get for any replica while idle. (Retention at
        // its default interval here, so the only listing counted is the replica's lazy verification.)
        // The application keeps its databases open across Keel's restart, as a running application does:
        // Keel's connection is then not the last one, so closing it neither checkpoints nor deletes the WAL.
        clients.clear();
        configs = configs(Duration.ofHours(1));
        List<Connection> apps = new ArrayList<>();
        for (DatabaseConfig db : configs) apps.add(TestDatabases.open(db.path()));
        try (Replicator r = start(configs)) {
            // An idle database whose local state says where its replica stands takes its lease back at its
            // first write, not at start: the restart makes no request at all.
            Thread.sleep(INTERVAL.toMillis() * 3);
            for (CountingClient c : clients.values()) assertThat(c.total()).as("start: %s", c).isZero();
            clients.values().forEach(CountingClient::reset);
            Thread.sleep(INTERVAL.toMillis() * 25);
            for (CountingClient c : clients.values()) assertThat(c.total()).as("idle after restart: %s", c).isZero();
            Path written = configs.get(7).path();
            Position before = r.position(written);
            try (Connection app = TestDatabases.open(written)) {
                TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('after restart')");
            }
            awaitMoved(r, written, before);
            awaitReplicated(r, configs);
            CountingClient c = clients.get(written);
            assertThat(c.lists.get()).as("the first upload after a restart lists the replica once: %s", c).isEqualTo(1);
            assertThat(c.puts.get()).as("%s", c).isPositive();
            assertThat(c.leaseWrites.get()).as("the lease taken back before that upload: %s", c).isEqualTo(1);
        } finally {
            for (Connection c : apps) c.close();
        }
        for (Connection c : running) c.close();
        for (DatabaseConfig db : configs) {
            Path restored = TestDatabases.restore(db.replicas().get(0).storage() instanceof ReplicaStorage.File f ? f.root() : null,
                    dir.resolve("restored-" + db.path().getFileName()));
            assertThat(TestDatabases.dump(restored)).as("%s", db.path()).isEqualTo(TestDatabases.dump(db.path()));
        }
    }

    @Test
    void parkedDatabasesMakeNoRequestsWhileIdleAndAWriteTakesOneBack() throws Exception {
        List<DatabaseConfig> configs = createFleet();
        configs = configs(Duration.ofHours(1));
        List<Connection> apps = new ArrayList<>();
        for (DatabaseConfig db : configs) apps.add(TestDatabases.open(db.path()));
        try (Replicator r = start(configs, 4)) {
            awaitReplicated(r, configs);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (r.holding().parked() < DATABASES - 4) {
                if (System.nanoTime() > deadline) throw new AssertionError("not parked within 20 s: " + r.holding());
                Thread.sleep(10);
            }
            Thread.sleep(INTERVAL.toMillis() * 3);
            clients.values().forEach(CountingClient::reset);
            Thread.sleep(INTERVAL.toMillis() * 25);
            for (CountingClient c : clients.values()) assertThat(c.total()).as("idle, parked or held: %s", c).isZero();
            assertThat(r.holding().held()).isLessThanOrEqualTo(4);

            Path written = configs.stream().map(DatabaseConfig::path).filter(r::parked).findFirst().orElseThrow();
            Position before = r.position(written);
            TestDatabases.exec(apps.get(configs.stream().map(DatabaseConfig::path).toList().indexOf(written)),
                    "INSERT INTO t (v) VALUES ('written while parked')");
            awaitMoved(r, written, before);
            awaitReplicated(r, configs);
            assertThat(r.position(written).generation()).isEqualTo(before.generation());
            for (DatabaseConfig db : configs) {
                CountingClient c = clients.get(db.path());
                if (db.path().equals(written)) {
                    assertThat(c.puts.get()).as("%s", c).isPositive();
                } else {
                    assertThat(c.total()).as("%s", c).isZero();
                }
            }
        } finally {
            for (Connection c : apps) c.close();
        }
    }

    @Test
    void descriptorsPerDatabaseStayWithinTheDocumentedBudget() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc");
        List<DatabaseConfig> configs = createFleet();
        long before = count(fds);
        try (Replicator r = Replicator.configure().databases(configs).backgroundLoops(false).start()) {
            r.sync();
            r.sync();
            long held = count(fds) - before;
            assertThat(held).as("descriptors for %d databases", DATABASES)
                    .isLessThanOrEqualTo((long) DescriptorLimit.PER_HELD_DATABASE * DATABASES + 1)
                    .as("4 per idle database (SQLite's db, -wal and -shm, Keel's read channel: no checkpoint "
                            + "opened a second connection), and one lock file for their directory")
                    .isLessThanOrEqualTo(4L * DATABASES + 1);
        }
    }

    private static long count(Path fds) throws Exception {
        try (Stream<Path> s = Files.list(fds)) {
            return s.count();
        }
    }

    /** The databases, each with a row; retention is checked every interval (an idle replica must not list for it). */
    private List<DatabaseConfig> createFleet() throws Exception {
        for (int i = 0; i < DATABASES; i++) {
            try (Connection app = TestDatabases.open(dir.resolve("tenant-" + i + ".db"))) {
                TestDatabases.exec(app, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)",
                        "INSERT INTO t (v) VALUES ('row of " + i + "')");
            }
        }
        Thread.sleep(100); // the db files' times settle: a first snapshot then needs no checkpoint (see FirstSnapshotTest)
        return configs(INTERVAL);
    }

    private List<DatabaseConfig> configs(Duration retentionCheck) {
        List<DatabaseConfig> configs = new ArrayList<>();
        for (int i = 0; i < DATABASES; i++) {
            configs.add(new DatabaseConfig(dir.resolve("tenant-" + i + ".db"), null, INTERVAL, CHECKPOINT_INTERVAL, 1000, 10000,
                    List.of(new ReplicaConfig("dir", new ReplicaStorage.File(dir.resolve("replica-" + i)), INTERVAL,
                            null, null, retentionCheck, null))));
        }
        return configs;
    }

    private Replicator start(List<DatabaseConfig> configs) {
        return start(configs, 0);
    }

    private Replicator start(List<DatabaseConfig> configs, int heldBudget) {
        return EngineOptions.DEFAULT.withHeldBudget(heldBudget).withClients(rc -> {
            CountingClient c = new CountingClient(ReplicaClients.open(rc.storage()));
            Path db = configs.stream().filter(d -> d.replicas().get(0).equals(rc)).findFirst().orElseThrow().path();
            clients.put(db, c);
            return c;
        }).start(Replicator.configure().databases(configs).listener(ReplicationListener.NONE));
    }

    private static void awaitReplicated(Replicator r, List<DatabaseConfig> configs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (DatabaseConfig db : configs) {
                Position head = r.position(db.path());
                if (head == null || !head.equals(r.replicaPosition(db.path(), "dir"))) all = false;
            }
            if (all) return;
            Thread.sleep(10);
        }
        throw new AssertionError("replicas did not catch up within 20 s");
    }

    private static void awaitMoved(Replicator r, Path db, Position before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (before.equals(r.position(db))) {
            if (System.nanoTime() > deadline) throw new AssertionError("the write was not copied within 20 s");
            Thread.sleep(5);
        }
    }

}
