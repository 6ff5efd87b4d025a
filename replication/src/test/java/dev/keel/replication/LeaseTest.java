package dev.keel.replication;

import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.LeaseSettings;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One writer per replica: the lease in a file replica, between replicators in this JVM and in another process. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeaseTest {
    @TempDir
    Path dir;

    static DatabaseConfig config(Path db, Path replica, Duration ttl, boolean takeover) {
        return new DatabaseConfig(db, null, Duration.ofMillis(50), Duration.ofMinutes(1), 0, 0,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica), Duration.ofMillis(50), null, null, null,
                        null, null, new LeaseSettings(LeaseSettings.Mode.AUTO, ttl, takeover))));
    }

    private Path database(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = TestDatabases.open(db)) {
            exec(c, "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('" + name + "')");
        }
        return db;
    }

    private static Replicator start(DatabaseConfig config) {
        return Replicator.configure().databases(List.of(config)).backgroundLoops(false).start();
    }

    private static Set<String> generations(Path replica) throws Exception {
        Set<String> out = new TreeSet<>();
        Path g = replica.resolve("generations");
        if (!Files.isDirectory(g)) return out;
        try (Stream<Path> s = Files.list(g)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }

    @Test
    void aSecondReplicatorIsRefusedWhileTheFirstHoldsTheLeaseAndTakesItOnceReleased() throws Exception {
        Path replica = dir.resolve("replica");
        Path blue = database("blue.db");
        Path green = database("green.db");
        Replicator first = start(config(blue, replica, Duration.ofSeconds(30), false));
        first.sync();
        assertThat(replica.resolve("keel-lease")).exists();
        try (Stream<Path> root = Files.list(replica)) { // the lease adds one object to the replica, nothing else
            assertThat(root.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("generations", "keel-lease");
        }
        assertThatThrownBy(() -> start(config(green, replica, Duration.ofSeconds(30), false)))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("lease is held by host").contains("pid " + ProcessHandle.current().pid())
                            .contains("until");
                    assertThat(e.hint()).contains("-takeover");
                });
        first.close(); // releases the lease
        try (Replicator second = start(config(green, replica, Duration.ofSeconds(30), false))) {
            second.sync();
        }
        assertThat(generations(replica)).hasSize(2);
    }

    @Test
    void ofReplicatorsRacingAtStartExactlyOneWrites() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 4; round++) {
                Path replica = dir.resolve("race-" + round);
                List<Future<Replicator>> starts = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    DatabaseConfig c = config(database("r" + round + "-" + i + ".db"), replica, Duration.ofSeconds(30), false);
                    starts.add(pool.submit((Callable<Replicator>) () -> start(c)));
                }
                List<Replicator> started = new ArrayList<>();
                int refused = 0;
                for (Future<Replicator> f : starts) {
                    try {
                        started.add(f.get(60, TimeUnit.SECONDS));
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(KeelException.class).hasMessageContaining("lease is held by");
                        refused++;
                    }
                }
                assertThat(started).as("round " + round).hasSize(1);
                assertThat(refused).isEqualTo(2);
                started.get(0).sync();
                started.get(0).close();
                assertThat(generations(replica)).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aHolderKilledWithSigkillIsTakenOverAfterItsTtlInANewGeneration() throws Exception {
        Path db = database("app.db");
        Path replica = dir.resolve("replica");
        Duration ttl = Duration.ofSeconds(6);
        Process holder = startProcess(db, replica, ttl);
        Set<String> before;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((before = generations(replica)).isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(before).hasSize(1);
        } finally {
            holder.destroyForcibly(); // SIGKILL: no release, the lease stays in the replica until it expires
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        long killed = System.nanoTime();
        // Another replicator (another host's, with its own database and local state) waits for the lease
        // to expire; a restart of this database's replicator would find its own lease and continue at once.
        Path other = database("other.db");
        assertThatThrownBy(() -> start(config(other, replica, ttl, false))).hasMessageContaining("lease is held by");
        Replicator next = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (next == null) {
            try {
                next = start(config(other, replica, ttl, false));
            } catch (KeelException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(200);
            }
        }
        long tookOver = System.nanoTime();
        try {
            assertThat(Duration.ofNanos(tookOver - killed)).isGreaterThan(ttl.dividedBy(4));
            next.sync(); // the monitor starts the new generation
            next.sync(); // the replica writes it
            Set<String> after = generations(replica);
            assertThat(after).containsAll(before).hasSize(2);
        } finally {
            next.close();
        }
    }

    @Test
    void withLeaseOnAStorageThatCannotHoldALeaseFailsTheStartAsBadInputWithTheHintToTurnItOff() throws Exception {
        Path db = database("app.db");
        Path replica = dir.resolve("replica");
        // The real file client, whose compare-and-swap answers as an S3 server that ignores conditional writes.
        java.util.function.Function<ReplicaConfig, dev.keel.replication.spi.ReplicaClient> ignoring = rc -> new CountingClient(
                dev.keel.replication.spi.ReplicaClients.open(rc.storage())) {
            @Override
            public java.util.Optional<dev.keel.replication.spi.ConditionalObjects> conditionalObjects() {
                return super.conditionalObjects().map(real -> new dev.keel.replication.spi.ConditionalObjects() {
                    @Override
                    public Versioned read(String key) throws java.io.IOException {
                        return real.read(key);
                    }

                    @Override
                    public String create(String key, byte[] bytes) throws java.io.IOException {
                        throw new dev.keel.replication.spi.LeaseUnsupportedException("conditional writes ignored", "set 'lease: off'");
                    }

                    @Override
                    public String replace(String key, byte[] bytes, String version) throws java.io.IOException {
                        throw new dev.keel.replication.spi.LeaseUnsupportedException("conditional writes ignored", "set 'lease: off'");
                    }
                });
            }
        };
        assertThatThrownBy(() -> dev.keel.replication.internal.EngineOptions.DEFAULT.withClients(ignoring)
                .start(Replicator.configure().databases(List.of(leaseOn(config(db, replica, Duration.ofSeconds(30), false))))
                        .backgroundLoops(false)))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("replica local").contains("conditional writes ignored");
                    assertThat(e.hint()).contains("lease: off").doesNotContain("-takeover");
                });
        assertThat(generations(replica)).isEmpty();
    }

    /** {@code config} with {@code lease: on} (with {@code auto} such a storage runs without a lease). */
    private static DatabaseConfig leaseOn(DatabaseConfig config) {
        ReplicaConfig r = config.replicas().get(0);
        return new DatabaseConfig(config.path(), null, config.monitorInterval(), config.checkpointInterval(), 0, 0,
                List.of(r.withLease(new LeaseSettings(LeaseSettings.Mode.ON, r.lease().ttl(), false))));
    }

    private Process startProcess(Path db, Path replica, Duration ttl) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", LeaseReplicatorMain.class.getName(), db.toString(),
                replica.toString(), Long.toString(ttl.toMillis())).redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.equals("started")) System.out.println("holder: " + line);
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (java.io.IOException ignored) {
                // the process was killed
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }
}
