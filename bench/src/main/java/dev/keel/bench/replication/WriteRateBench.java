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
import java.util.Arrays;
import java.util.List;

/**
 * Application write rate with Keel replicating (in-process, default settings, directory replica)
 * against the same writes without replication, measured in one run: single-row transactions with
 * {@code synchronous=NORMAL}, as fast as one thread can commit. Rounds alternate which side runs first
 * so drift in the machine's load affects both; the figure is the median of the per-round ratios.
 * Target: ratio >= 0.95.
 *
 * <pre>bench/run replication.WriteRateBench [SECONDS_PER_ROUND=3] [ROUNDS=8]</pre>
 */
public final class WriteRateBench {
    private WriteRateBench() {
    }

    /** Writer thread CPU per transaction of the last run, in microseconds. */
    private static double lastCpuPerTx;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path work = Files.createTempDirectory("keel-write-rate-");
        try {
            double[] without = new double[rounds];
            double[] with = new double[rounds];
            double[] ratios = new double[rounds];
            double[] cpuWithout = new double[rounds];
            double[] cpuWith = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    without[r] = run(work.resolve("plain-" + r), seconds, false);
                    cpuWithout[r] = lastCpuPerTx;
                    with[r] = run(work.resolve("keel-" + r), seconds, true);
                    cpuWith[r] = lastCpuPerTx;
                } else {
                    with[r] = run(work.resolve("keel-" + r), seconds, true);
                    cpuWith[r] = lastCpuPerTx;
                    without[r] = run(work.resolve("plain-" + r), seconds, false);
                    cpuWithout[r] = lastCpuPerTx;
                }
                ratios[r] = with[r] / without[r];
                System.out.printf("round %d: without replication %.0f tx/s, with Keel %.0f tx/s, ratio %.3f%n",
                        r + 1, without[r], with[r], ratios[r]);
            }
            System.out.printf("write rate (single-row transactions, synchronous=NORMAL): without %.0f tx/s, with Keel %.0f tx/s (medians)%n",
                    median(without), median(with));
            System.out.printf("ratio with/without (median of %d per-round ratios): %.3f (target >= 0.95); load average %.2f on %d cores%n",
                    rounds, median(ratios), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
            // On a busy machine the writer is off CPU much of the time and wall-clock rates mostly measure
            // the neighbours; CPU per transaction of the writer thread is what Keel can change.
            System.out.printf("writer CPU per transaction: without %.2f us, with Keel %.2f us; CPU-bound rate ratio %.3f%n",
                    median(cpuWithout), median(cpuWith), median(cpuWithout) / median(cpuWith));
        } finally {
            BenchDb.deleteTree(work);
        }
    }

    private static double run(Path dir, int seconds, boolean replicate) throws Exception {
        Files.createDirectories(dir);
        Path db = dir.resolve("app.db");
        try (Connection app = BenchDb.open(db)) {
            Replicator replicator = null;
            if (replicate) {
                DatabaseConfig config = DatabaseConfig.of(db, List.of(ReplicaConfig.of(new ReplicaStorage.File(dir.resolve("replica")))));
                replicator = Replicator.start(List.of(config), ReplicationListener.NONE);
                replicator.sync(); // first generation and snapshot before the clock starts
            }
            long count = 0;
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long writerCpuStart = threads.getCurrentThreadCpuTime();
            try (PreparedStatement ps = app.prepareStatement("INSERT INTO events (at, payload) VALUES (?, ?)")) {
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                long start = System.nanoTime();
                while (System.nanoTime() < end) {
                    ps.setLong(1, System.currentTimeMillis());
                    ps.setString(2, "event payload " + count);
                    ps.executeUpdate();
                    count++;
                }
                double wall = (System.nanoTime() - start) / 1e9;
                double rate = count / wall;
                double writerCpu = (threads.getCurrentThreadCpuTime() - writerCpuStart) / 1e9;
                double keelCpu = 0;
                for (long id : threads.getAllThreadIds()) {
                    var info = threads.getThreadInfo(id);
                    if (info != null && info.getThreadName().startsWith("keel-")) keelCpu += threads.getThreadCpuTime(id) / 1e9;
                }
                lastCpuPerTx = writerCpu * 1e6 / count;
                System.out.printf("  %-7s %.0f tx/s; writer thread %.1f us CPU per tx, on CPU %.0f%% of the time; Keel threads %.2f CPU s per s%n",
                        replicate ? "keel:" : "plain:", rate, writerCpu * 1e6 / count, 100 * writerCpu / wall, keelCpu / wall);
                if (replicator != null) replicator.close();
                return rate;
            }
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
