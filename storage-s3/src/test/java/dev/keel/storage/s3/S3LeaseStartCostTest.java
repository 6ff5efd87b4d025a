package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.CountingClient;
import dev.keel.replication.Replicator;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the lease costs at start for a fleet on one S3 replica (a dir entry: one key prefix and one lease
 * object per database): a first start takes each database's lease (one GET, one conditional PUT). (A restart
 * of an idle fleet on the same local state takes none: see FleetIdleTest.)
 */
@Timeout(120)
class S3LeaseStartCostTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-lease-cost";
    private static final int DATABASES = 20;

    @TempDir
    Path dir;

    @Test
    void aFleetTakesOneLeasePerDatabaseAtFirstStartAndNoneWhenRestartedIdle() throws Exception {
        SERVER.createBucket(BUCKET);
        ReplicaStorage.S3 storage = SERVER.storage(BUCKET, "fleet-" + UUID.randomUUID());
        Path root = dir.resolve("tenants");
        for (int i = 0; i < DATABASES; i++) create(root.resolve("t" + i + ".db"));
        DirectoryConfig entry = DirectoryConfig.of(new DatabaseDirectory(root, "*.db", false), List.of(ReplicaConfig.of(storage)));

        Cost first = run(entry);
        System.out.println("lease start cost, " + DATABASES + " databases on one S3 replica: first start " + first);
        assertThat(first.leaseReads()).as("one lease object per database").isGreaterThanOrEqualTo(DATABASES);
        assertThat(first.leaseWrites()).as("one each, and renewals when the first sync takes longer than ttl/3")
                .isGreaterThanOrEqualTo(DATABASES);
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            assertThat(client.list("").stream().filter(o -> o.key().endsWith("/keel-lease")).count()).isEqualTo(DATABASES);
        }
    }

    /** Starts replication of the entry, syncs once, stops; the requests made until the stop. */
    private static Cost run(DirectoryConfig entry) throws Exception {
        List<CountingClient> clients = new CopyOnWriteArrayList<>();
        try (Replicator r = EngineOptions.DEFAULT.withClients(c -> {
                    CountingClient counting = new CountingClient(ReplicaClients.open(c.storage()));
                    clients.add(counting);
                    return counting;
                }).start(Replicator.configure().backgroundLoops(false))) {
            r.follow(entry);
            r.sync();
            return Cost.of(clients);
        }
    }

    /** Requests through every client, by kind, summed (lease requests through the client's compare-and-swap). */
    record Cost(int verifies, int lists, int gets, int puts, int deletes, int leaseReads, int leaseWrites) {
        static Cost of(List<CountingClient> clients) {
            return new Cost(sum(clients, c -> c.verifies.get()), sum(clients, c -> c.lists.get()), sum(clients, c -> c.gets.get()),
                    sum(clients, c -> c.puts.get()), sum(clients, c -> c.deletes.get()), sum(clients, c -> c.leaseReads.get()),
                    sum(clients, c -> c.leaseWrites.get()));
        }

        private static int sum(List<CountingClient> clients, ToIntFunction<CountingClient> count) {
            return clients.stream().mapToInt(count).sum();
        }

        int total() {
            return verifies + lists + gets + puts + deletes + leaseReads + leaseWrites;
        }

        @Override
        public String toString() {
            return "verify " + verifies + ", list " + lists + ", get " + gets + ", put " + puts + ", delete " + deletes
                    + ", lease get " + leaseReads + ", lease put " + leaseWrites + " (total " + total() + ")";
        }
    }

    private static void create(Path db) throws Exception {
        Files.createDirectories(db.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t (v) VALUES ('" + db.getFileName() + "')");
        }
    }
}
