package dev.keel.replication;

import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.spi.LeaseRecord;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease costs an idle database nothing: it lapses in the replica while nothing is written and is
 * taken back, by a swap on the version last written, before the next write. A lease that lapsed and
 * was taken by another replicator meanwhile is not taken back: the idle holder's next write is refused.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeaseIdleTest {
    private static final Duration TTL = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private Path database(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = TestDatabases.open(db)) {
            exec(c, "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('" + name + "')");
        }
        return db;
    }

    @Test
    void anIdleDatabaseMakesNoRequestOverSeveralTtlsAndItsNextWriteTakesTheLeaseBackInTheSameGeneration() throws Exception {
        Path db = database("idle.db");
        Path replica = dir.resolve("replica");
        AtomicReference<CountingClient> counted = new AtomicReference<>();
        DatabaseConfig config = LeaseTest.config(db, replica, TTL, false);
        try (Replicator r = EngineOptions.DEFAULT.withClients(rc -> {
            CountingClient c = new CountingClient(ReplicaClients.open(rc.storage()));
            counted.set(c);
            return c;
        }).start(Replicator.configure().databases(List.of(config)).listener(ReplicationListener.NONE))) {
            CountingClient c = counted.get();
            assertThat(c.leaseWrites.get()).as("the lease is taken at start: %s", c).isEqualTo(1);
            awaitReplicated(r, db);
            Thread.sleep(300); // the start's last round finishes
            c.reset();

            Thread.sleep(TTL.multipliedBy(3).plusSeconds(1).toMillis());
            assertThat(c.total()).as("idle over three lease TTLs: %s", c).isZero();
            assertThat(lease(replica).expires()).as("the lease lapsed in the replica").isBefore(Instant.now());
            Set<String> generations = generations(replica);
            assertThat(generations).hasSize(1);

            Position before = r.position(db);
            write(db, "after idle");
            awaitMoved(r, db, before);
            awaitReplicated(r, db);
            assertThat(c.leaseWrites.get()).as("one swap takes the lease back: %s", c).isEqualTo(1);
            assertThat(c.leaseReads.get()).as("the version last written was unchanged: %s", c).isZero();
            assertThat(c.lists.get() + c.gets.get()).as("%s", c).isZero();
            assertThat(lease(replica).expires()).isAfter(Instant.now());
            assertThat(generations(replica)).as("the same generation continues").isEqualTo(generations);
            assertThat(files(replica, "snapshots")).as("without a new snapshot").hasSize(1);

            // While it writes, the holder renews every ttl/3: at least once over two TTLs, and never more often.
            c.reset();
            Instant takenBack = lease(replica).expires();
            long began = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                write(db, "busy " + i);
                Thread.sleep(TTL.toMillis() / 10);
            }
            Position last = r.position(db);
            write(db, "last");
            awaitMoved(r, db, last);
            awaitReplicated(r, db);
            long elapsed = System.nanoTime() - began;
            assertThat(lease(replica).expires()).as("renewed while writing").isAfter(takenBack);
            assertThat(c.leaseWrites.get()).as("%s over %d ms", c, elapsed / 1_000_000)
                    .isBetween(1, (int) (elapsed / (TTL.toNanos() / 3)) + 1);
            assertThat(c.leaseReads.get()).isZero();
        }
        assertThat(lease(replica).released()).as("released on close").isTrue();
    }

    @Test
    void anotherReplicatorTakesTheLapsedLeaseOfAnIdleHolderWhoseNextWriteIsThenRefused() throws Exception {
        Path blue = database("blue.db");
        Path green = database("green.db");
        Path replica = dir.resolve("replica");
        Replicator idle = Replicator.configure().databases(List.of(LeaseTest.config(blue, replica, TTL, false)))
                .backgroundLoops(false).start();
        try {
            idle.sync();
            Set<String> idleGeneration = generations(replica);
            assertThat(idleGeneration).hasSize(1);
            Set<String> idleFiles = allFiles(replica);
            awaitLapsed(replica);

            try (Replicator next = Replicator.configure().databases(List.of(LeaseTest.config(green, replica, TTL, false)))
                    .backgroundLoops(false).start()) {
                next.sync(); // the monitor starts a new generation: what the idle holder wrote is not continued
                next.sync();
                assertThat(generations(replica)).hasSize(2).containsAll(idleGeneration);
                Set<String> withNext = allFiles(replica);

                write(blue, "written while another holds the lease");
                assertThatThrownBy(idle::sync).hasStackTraceContaining("lease is held by host")
                        .hasStackTraceContaining("pid " + ProcessHandle.current().pid());
                assertThat(allFiles(replica)).as("the idle holder wrote nothing").isEqualTo(withNext);
                assertThat(allFiles(replica)).containsAll(idleFiles);
            } // releases its lease
            write(blue, "written after the other released it");
            assertThatThrownBy(idle::sync).as("a lease lost once is not taken back in this run")
                    .hasStackTraceContaining("lease is held by host");
            assertThat(lease(replica).released()).isTrue();
        } finally {
            // Its final sync cannot upload the last writes, and says why.
            assertThatThrownBy(idle::close).hasStackTraceContaining("lease is held by host");
        }
        assertThat(lease(replica).released()).as("the idle holder released nothing it did not hold").isTrue();
        Path restored = TestDatabases.restore(replica, dir.resolve("restored.db"));
        assertThat(TestDatabases.dump(restored)).isEqualTo(TestDatabases.dump(green));
    }

    private static void write(Path db, String value) throws Exception {
        try (Connection c = TestDatabases.open(db)) {
            exec(c, "INSERT INTO t VALUES ('" + value + "')");
        }
    }

    static LeaseRecord lease(Path replica) throws Exception {
        return LeaseRecord.parse(Files.readAllBytes(replica.resolve("keel-lease")), "test");
    }

    /** Waits until the lease in the replica has expired by this host's clock. */
    static void awaitLapsed(Path replica) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!lease(replica).freeAt(Instant.now())) {
            if (System.nanoTime() > deadline) throw new AssertionError("the lease did not lapse: " + lease(replica));
            Thread.sleep(100);
        }
    }

    private static void awaitReplicated(Replicator r, Path db) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Position head = r.position(db);
            if (head != null && head.equals(r.replicaPosition(db, "local"))) return;
            if (System.nanoTime() > deadline) throw new AssertionError("the replica did not catch up within 60 s");
            Thread.sleep(20);
        }
    }

    private static void awaitMoved(Replicator r, Path db, Position before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (java.util.Objects.equals(before, r.position(db))) {
            if (System.nanoTime() > deadline) throw new AssertionError("the write was not copied within 60 s");
            Thread.sleep(10);
        }
    }

    private static Set<String> generations(Path replica) throws Exception {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.list(replica.resolve("generations"))) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }

    private static Set<String> allFiles(Path replica) throws Exception {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(replica.resolve("generations"))) {
            s.filter(Files::isRegularFile).forEach(p -> out.add(replica.relativize(p).toString()));
        }
        return out;
    }

    private static Set<String> files(Path replica, String kind) throws Exception {
        Set<String> out = new TreeSet<>();
        for (String f : allFiles(replica)) if (f.contains("/" + kind + "/")) out.add(f);
        return out;
    }
}
