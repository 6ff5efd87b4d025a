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

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path work = Files.createTempDirectory("keel-write-rate-");
        try {
            double[] without = new double[rounds];
            double[] with = new double[rounds];
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    without[r] = run(work.resolve("plain-" + r), seconds, false);
                    with[r] = run(work.resolve("keel-" + r), seconds, true);
                } else {
                    with[r] = run(work.resolve("keel-" + r), seconds, true);
                    without[r] = run(work.resolve("plain-" + r), seconds, false);
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
            try (PreparedStatement ps = app.prepareStatement("INSERT INTO events (at, payload) VALUES (?, ?)")) {
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                long start = System.nanoTime();
                while (System.nanoTime() < end) {
                    ps.setLong(1, System.currentTimeMillis());
                    ps.setString(2, "event payload " + count);
                    ps.executeUpdate();
                    count++;
                }
                double rate = count / ((System.nanoTime() - start) / 1e9);
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
