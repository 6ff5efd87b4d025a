package dev.keel.bench.replication;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replication lag: time from an application's commit until a WAL segment holding it is in the replica
 * directory, measured from outside the same way for Keel and for Litestream 0.3.13 (when installed in
 * .tools), both at their defaults (sync-interval 1 s, monitor-interval 1 s), one after the other.
 * <ol>
 *   <li>Commits at random spacing of 50-900 ms: p50/p95/p99 of each and Keel's p95 over Litestream's
 *       (target <= 0.5).</li>
 *   <li>One commit per second: storage writes (PUTs) per hour of each (target: Keel no more than before).</li>
 *   <li>Keel alone, 50 commits per second, at sync-interval 1 s and 100 ms: p99 (target <= interval + 50 ms) and
 *       PUTs per hour beside one per interval (a steady writer's cost).</li>
 * </ol>
 * A commit's WAL end offset is the WAL file's size right after it; checkpoints are held off during the
 * runs (for both) so the WAL index stays put and offsets keep their meaning.
 *
 * <pre>bench/run replication.LagBench [SECONDS=60] [ROUNDS=1] [SEED=random]</pre>
 */
public final class LagBench {
    private LagBench() {
    }

    private enum Mode {
        KEEL("keel"),
        LITESTREAM("litestream 0.3.13");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    private record Commit(long nanos, long walEnd) {
    }

    /** One run: lags in ms (sorted), commits never seen in the replica, PUTs per hour while writing. */
    private record Result(double[] lags, int missing, double putsPerHour) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : new Random().nextLong();
        boolean litestream = Files.isExecutable(litestream());
        System.out.printf("seed %d; %d s per run, %d round(s), modes alternating%n", seed, seconds, rounds);
        if (!litestream) System.out.println("litestream not installed (scripts/install-test-tools): Keel alone");
        List<Mode> modes = litestream ? List.of(Mode.KEEL, Mode.LITESTREAM) : List.of(Mode.KEEL);
        Path work = Files.createTempDirectory("keel-lag-");
        try {
            System.out.println("commits at random spacing of 50-900 ms, defaults (sync-interval 1 s, monitor-interval 1 s):");
            List<List<Double>> lags = compare(work.resolve("random"), modes, rounds, seconds, 50, 900, seed, null);
            double[] p95 = new double[modes.size()];
            for (int m = 0; m < modes.size(); m++) {
                double[] l = sorted(lags.get(m));
                p95[m] = BenchDb.percentile(l, 95);
                System.out.printf("  %-18s %4d commits  lag p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n",
                        modes.get(m).label, l.length, BenchDb.percentile(l, 50), p95[m], BenchDb.percentile(l, 99),
                        l.length == 0 ? Double.NaN : l[l.length - 1]);
            }
            if (modes.size() > 1) {
                double ratio = p95[0] / p95[1];
                System.out.printf("  keel/litestream p95 ratio %.2f   target <= 0.50: %s%n", ratio, ratio <= 0.5 ? "met" : "MISSED");
            }

            System.out.println("one commit per second, defaults: storage writes per hour");
            List<List<Double>> puts = new ArrayList<>();
            compare(work.resolve("steady"), modes, rounds, seconds, 1000, 1000, seed, puts);
            for (int m = 0; m < modes.size(); m++) {
                double[] l = sorted(puts.get(m));
                System.out.printf("  %-18s %6.0f PUTs/hour (median of %d)%n", modes.get(m).label, BenchDb.percentile(l, 50), l.length);
            }

            System.out.println("keel alone, 50 commits per second:");
            for (Duration interval : List.of(ReplicaConfig.DEFAULT_SYNC_INTERVAL, Duration.ofMillis(100))) {
                Path dir = work.resolve("rate-" + interval.toMillis());
                Result r = run(dir, Mode.KEEL, interval, Math.min(seconds, 15), 20, 20, new Random(seed));
                double[] l = r.lags();
                double target = interval.toMillis() + 50;
                double p99 = BenchDb.percentile(l, 99);
                System.out.printf("  sync-interval %4d ms: %d commits, lag p50 %.1f ms, p99 %.1f ms; p99/target %.2f (target p99 <= %.0f ms);"
                                + " %.0f PUTs/hour (one per interval: %.0f)%n", interval.toMillis(), l.length, BenchDb.percentile(l, 50), p99,
                        p99 / target, target, r.putsPerHour(), 3_600_000.0 / interval.toMillis());
            }
            System.out.println("(a shared, loaded machine: figures vary between runs; compare the two modes of one run)");
        } finally {
            BenchDb.deleteTree(work);
        }
    }

    /** Runs every mode {@code rounds} times, alternating which goes first; returns the lags per mode. */
    private static List<List<Double>> compare(Path dir, List<Mode> modes, int rounds, int seconds, int minMs, int maxMs,
                                              long seed, List<List<Double>> putsPerHour) throws Exception {
        List<List<Double>> lags = new ArrayList<>();
        for (int m = 0; m < modes.size(); m++) {
            lags.add(new ArrayList<>());
            if (putsPerHour != null) putsPerHour.add(new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < modes.size(); k++) {
                int m = (k + round) % modes.size();
                Mode mode = modes.get(m);
                // the same commit spacing for both modes of a round
                Result r = run(dir.resolve(mode.name().toLowerCase() + "-" + round), mode, ReplicaConfig.DEFAULT_SYNC_INTERVAL,
                        seconds, minMs, maxMs, new Random(seed + round));
                for (double v : r.lags()) lags.get(m).add(v);
                if (putsPerHour != null) putsPerHour.get(m).add(r.putsPerHour());
                System.out.printf("    round %d %-18s %4d commits, lag p50 %6.1f ms, p95 %6.1f ms, %6.0f PUTs/hour%s%n", round + 1,
                        mode.label, r.lags().length, BenchDb.percentile(r.lags(), 50), BenchDb.percentile(r.lags(), 95), r.putsPerHour(),
                        r.missing() > 0 ? " (" + r.missing() + " commits not matched to a segment)" : "");
            }
        }
        return lags;
    }

    private static Result run(Path dir, Mode mode, Duration syncInterval, int seconds, int minMs, int maxMs, Random spacing)
            throws Exception {
        Files.createDirectories(dir);
        Path db = dir.resolve("app.db");
        Path wal = dir.resolve("app.db-wal");
        Path replica = dir.resolve("replica");
        List<Commit> commits = new ArrayList<>();
        AtomicInteger keelPuts = new AtomicInteger();
        try (Connection app = BenchDb.open(db); ReplicaWatcher watcher = new ReplicaWatcher(replica)) {
            try (var s = app.createStatement()) {
                s.execute("PRAGMA wal_autocheckpoint = 0"); // the WAL index stays put (see the class comment)
            }
            Replicator replicator = null;
            Process litestream = null;
            if (mode == Mode.KEEL) {
                // Checkpoints held off so one WAL index covers the run; everything else at its default.
                DatabaseConfig config = new DatabaseConfig(db, null, null, Duration.ofHours(1), 1_000_000, 2_000_000,
                        List.of(new ReplicaConfig("dir", new ReplicaStorage.File(replica), syncInterval, null, null, null, null)));
                replicator = Replicator.configure().databases(List.of(config)).listener(new ReplicationListener() {
                    @Override
                    public void storageOperation(Path d, String r, String type, String operation, long bytes, Throwable error) {
                        if ("PUT".equals(operation)) keelPuts.incrementAndGet();
                    }
                }).start();
            } else {
                litestream = startLitestream(dir, db, replica);
            }
            try (PreparedStatement ps = app.prepareStatement("INSERT INTO events (at, payload) VALUES (?, ?)")) {
                awaitFile(watcher, litestream);
                // Commits until the WAL file grows (a WAL restarted by the first snapshot's checkpoint is
                // rewritten from its start, and its size says nothing until then), then quiet: both start
                // measuring settled, idle and on one WAL index.
                long reused = Files.size(wal);
                for (int i = 0; i < 3 || Files.size(wal) <= reused; i++) {
                    insert(ps, -1);
                    Thread.sleep(20);
                }
                Thread.sleep(syncInterval.toMillis() * 2 + 500);
                long index = watcher.maxIndex();
                int filesBefore = watcher.files();
                int putsBefore = keelPuts.get();
                long start = System.nanoTime();
                long end = start + seconds * 1_000_000_000L;
                int n = 0;
                while (System.nanoTime() < end) {
                    insert(ps, n++);
                    commits.add(new Commit(System.nanoTime(), Files.size(wal)));
                    long sleepMs = minMs + (maxMs > minMs ? spacing.nextInt(maxMs - minMs + 1) : 0);
                    Thread.sleep(sleepMs);
                }
                double hours = (System.nanoTime() - start) / 3.6e12;
                int puts = mode == Mode.KEEL ? keelPuts.get() - putsBefore : watcher.files() - filesBefore;
                Thread.sleep(syncInterval.toMillis() * 2 + 1000); // the last commits arrive
                List<Double> lags = new ArrayList<>();
                int missing = 0;
                for (Commit c : commits) {
                    long seen = watcher.arrival(index, c.walEnd());
                    if (seen < 0) missing++;
                    else lags.add(Math.max(0, seen - c.nanos()) / 1e6);
                }
                return new Result(sorted(lags), missing, puts / hours);
            } finally {
                if (replicator != null) replicator.close();
                if (litestream != null) {
                    litestream.destroy(); // SIGTERM: Litestream's own shutdown
                    litestream.waitFor();
                }
            }
        }
    }

    private static void insert(PreparedStatement ps, int n) throws Exception {
        ps.setLong(1, System.currentTimeMillis());
        ps.setString(2, "event " + n);
        ps.executeUpdate();
    }

    /** Waits for the replica's first file (the snapshot) so both start from a replica that exists. */
    private static void awaitFile(ReplicaWatcher watcher, Process litestream) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (watcher.files() == 0) {
            if (litestream != null && !litestream.isAlive()) throw new IllegalStateException("litestream exited with " + litestream.exitValue());
            if (System.nanoTime() > deadline) throw new IllegalStateException("no snapshot in the replica within 30 s");
            Thread.sleep(20);
        }
    }

    private static Path litestream() {
        return Path.of(System.getProperty("keel.tools.dir", ".tools"), "node_modules", "@flydotio", "litestream-linux-x64", "litestream");
    }

    /** Litestream with its defaults but checkpoints held off, as Keel's run (its config file's keys). */
    private static Process startLitestream(Path dir, Path db, Path replica) throws Exception {
        Path config = dir.resolve("litestream.yml");
        Files.writeString(config, "dbs:\n"
                + "  - path: " + db + "\n"
                + "    checkpoint-interval: 1h\n"
                + "    min-checkpoint-page-count: 1000000\n"
                + "    max-checkpoint-page-count: 2000000\n"
                + "    replicas:\n"
                + "      - url: file://" + replica + "\n");
        return new ProcessBuilder(litestream().toString(), "replicate", "-config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("litestream.log").toFile()).start();
    }

    private static double[] sorted(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
}
