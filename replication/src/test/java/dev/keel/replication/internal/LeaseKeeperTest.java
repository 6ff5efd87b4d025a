package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.replication.api.LeaseSettings;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.spi.ConditionalObjects;
import dev.keel.replication.spi.LeaseHolder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keeper's fence on a real file replica, with the storage cut off by a fault wrapper and time stepped by hand. */
class LeaseKeeperTest {
    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicBoolean partitioned = new AtomicBoolean();

    private Clock clockAt(long offsetMillis) {
        return Clock.offset(Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC),
                Duration.ofNanos(nanos.get() + offsetMillis * 1_000_000L));
    }

    /** The real file compare-and-swap, failing every call while "partitioned". */
    private ConditionalObjects cutOff(ConditionalObjects real) {
        return new ConditionalObjects() {
            private void check() throws IOException {
                if (partitioned.get()) throw new java.net.ConnectException("partitioned");
            }

            @Override
            public Versioned read(String key) throws IOException {
                check();
                return real.read(key);
            }

            @Override
            public String create(String key, byte[] bytes) throws IOException {
                check();
                return real.create(key, bytes);
            }

            @Override
            public String replace(String key, byte[] bytes, String version) throws IOException {
                check();
                return real.replace(key, bytes, version);
            }
        };
    }

    @Test
    void aHolderThatCannotRenewStopsWritingBeforeItsLeaseEndsAndAnotherMayTakeItOnlyThen() throws Exception {
        ConditionalObjects files = new FileReplicaClient(dir).conditionalObjects().orElseThrow();
        Duration ttl = Duration.ofSeconds(30);
        Clock clock = new Clock() { // wall clock moving with the stepped monotonic one
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return clockAt(0).instant();
            }
        };
        LeaseKeeper holder = new LeaseKeeper(new ReplicaLease(cutOff(files), "replica", LeaseHolder.self(), clock),
                new LeaseSettings(LeaseSettings.Mode.ON, ttl, false), "replica", clock, nanos::get);
        LeaseKeeper other = new LeaseKeeper(new ReplicaLease(files, "replica", LeaseHolder.self(), clock),
                new LeaseSettings(LeaseSettings.Mode.ON, ttl, false), "replica", clock, nanos::get);

        assertThat(holder.check()).isInstanceOf(LeaseKeeper.Writable.class);
        holder.checkWritable();
        assertThat(other.check()).isInstanceOf(LeaseKeeper.Refused.class);

        partitioned.set(true);
        nanos.addAndGet(Duration.ofSeconds(11).toNanos()); // renewal due (past ttl/3), and it fails
        assertThatThrownBy(holder::check).isInstanceOf(IOException.class);
        holder.checkWritable(); // still inside 3/4 of the ttl since the last renewal
        nanos.addAndGet(Duration.ofSeconds(12).toNanos()); // 23 s > 22.5 s
        assertThatThrownBy(holder::checkWritable).hasMessageContaining("could not be renewed in time");
        assertThat(other.check()).as("the lease has not expired yet").isInstanceOf(LeaseKeeper.Refused.class);

        nanos.addAndGet(Duration.ofSeconds(8).toNanos()); // 31 s: expired
        assertThat(other.check()).isInstanceOf(LeaseKeeper.Writable.class);
        assertThat(other.takeTakenOverFrom()).isNotNull();

        partitioned.set(false); // the partition heals: the old holder finds the lease taken and writes nothing
        assertThat(holder.check()).isInstanceOf(LeaseKeeper.Refused.class);
        assertThatThrownBy(holder::checkWritable).isInstanceOf(IOException.class);
    }

    @Test
    void ofKeepersRacingForOneReplicaExactlyOneHoldsIt() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 25; round++) {
                ConditionalObjects files = new FileReplicaClient(dir.resolve("race-" + round)).conditionalObjects().orElseThrow();
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(4);
                java.util.List<java.util.concurrent.Future<LeaseKeeper.Verdict>> verdicts = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    LeaseKeeper keeper = new LeaseKeeper(new ReplicaLease(files, "replica", LeaseHolder.self(), Clock.systemUTC()),
                            new LeaseSettings(LeaseSettings.Mode.ON, Duration.ofSeconds(30), false), "replica",
                            Clock.systemUTC(), System::nanoTime);
                    verdicts.add(pool.submit(() -> {
                        together.await();
                        return keeper.check();
                    }));
                }
                int holders = 0;
                for (var v : verdicts) if (v.get(60, java.util.concurrent.TimeUnit.SECONDS) instanceof LeaseKeeper.Writable) holders++;
                assertThat(holders).as("round %d", round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
