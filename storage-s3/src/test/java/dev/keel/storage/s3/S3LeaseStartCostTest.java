package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.Replicator;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.spi.ConditionalObjects;
import dev.keel.replication.spi.ForwardingReplicaClient;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.S3TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
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

        Counting first = run(entry);
        System.out.println("lease start cost, " + DATABASES + " databases on one S3 replica: first start " + first);
        assertThat(first.leaseGets.get()).as("one lease object per database").isGreaterThanOrEqualTo(DATABASES);
        assertThat(first.leasePuts.get()).as("one each, and renewals when the first sync takes longer than ttl/3")
                .isGreaterThanOrEqualTo(DATABASES);
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            assertThat(client.list("").stream().filter(o -> o.key().endsWith("/keel-lease")).count()).isEqualTo(DATABASES);
        }
    }

    /** Starts replication of the entry, syncs once, stops; the requests made until the stop. */
    private static Counting run(DirectoryConfig entry) throws Exception {
        Counting counting = new Counting();
        try (Replicator r = EngineOptions.DEFAULT.withClients(c -> counting.wrap(ReplicaClients.open(c.storage())))
                .start(Replicator.configure().backgroundLoops(false))) {
            r.follow(entry);
            r.sync();
            return counting.copy();
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

    /** Requests through the real clients, by kind (lease requests through the client's compare-and-swap). */
    static final class Counting {
        final AtomicInteger verifies = new AtomicInteger();
        final AtomicInteger lists = new AtomicInteger();
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();
        final AtomicInteger deletes = new AtomicInteger();
        final AtomicInteger leaseGets = new AtomicInteger();
        final AtomicInteger leasePuts = new AtomicInteger();

        int total() {
            return verifies.get() + lists.get() + gets.get() + puts.get() + deletes.get() + leaseGets.get() + leasePuts.get();
        }

        Counting copy() {
            Counting c = new Counting();
            c.verifies.set(verifies.get());
            c.lists.set(lists.get());
            c.gets.set(gets.get());
            c.puts.set(puts.get());
            c.deletes.set(deletes.get());
            c.leaseGets.set(leaseGets.get());
            c.leasePuts.set(leasePuts.get());
            return c;
        }

        @Override
        public String toString() {
            return "verify " + verifies + ", list " + lists + ", get " + gets + ", put " + puts + ", delete " + deletes
                    + ", lease get " + leaseGets + ", lease put " + leasePuts + " (total " + total() + ")";
        }

        ReplicaClient wrap(ReplicaClient real) {
            return new ForwardingReplicaClient(real) {
                @Override
                public void verify() {
                    verifies.incrementAndGet();
                    super.verify();
                }

                @Override
                public List<ObjectInfo> list(String prefix) throws IOException {
                    lists.incrementAndGet();
                    return super.list(prefix);
                }

                @Override
                public java.io.InputStream open(String key) throws IOException {
                    gets.incrementAndGet();
                    return super.open(key);
                }

                @Override
                public java.io.InputStream openRange(String key, long offset, long length) throws IOException {
                    gets.incrementAndGet();
                    return super.openRange(key, offset, length);
                }

                @Override
                public void write(String key, Payload payload) throws IOException {
                    puts.incrementAndGet();
                    super.write(key, payload);
                }

                @Override
                public void delete(Collection<String> keys) throws IOException {
                    deletes.incrementAndGet();
                    super.delete(keys);
                }

                @Override
                public Optional<ConditionalObjects> conditionalObjects() {
                    return super.conditionalObjects().map(real -> new ConditionalObjects() {
                        @Override
                        public Versioned read(String key) throws IOException {
                            leaseGets.incrementAndGet();
                            return real.read(key);
                        }

                        @Override
                        public String create(String key, byte[] bytes) throws IOException {
                            leasePuts.incrementAndGet();
                            return real.create(key, bytes);
                        }

                        @Override
                        public String replace(String key, byte[] bytes, String version) throws IOException {
                            leasePuts.incrementAndGet();
                            return real.replace(key, bytes, version);
                        }
                    });
                }
            };
        }
    }
}
