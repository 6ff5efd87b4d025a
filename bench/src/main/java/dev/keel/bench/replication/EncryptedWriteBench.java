package dev.keel.bench.replication;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.AgeEncryption;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.List;

/**
 * Application write rate with Keel replicating to an age-encrypted directory replica against Keel
 * replicating to a plain one, measured in one run (as {@link WriteRateBench}: single-row transactions,
 * {@code synchronous=NORMAL}, one thread committing as fast as it can; rounds alternate the order;
 * medians). Also prints the CPU Keel's threads used per second in each mode, where the encryption's
 * cost shows. Target: encrypted >= 0.98 x plain.
 *
 * <pre>bench/run replication.EncryptedWriteBench [SECONDS_PER_ROUND=3] [ROUNDS=8]</pre>
 */
public final class EncryptedWriteBench {
    private EncryptedWriteBench() {
    }

    private static double lastKeelCpu;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        KeyPair key = new X25519KeyPairGenerator().generateKeyPair();
        AgeEncryption age = new AgeEncryption(List.of(key.getPublic().toString()), List.of(key.getPrivate().toString()));
        Path work = Files.createTempDirectory("keel-age-write-");
        double[][] rate = new double[2][rounds];
        double[][] keelCpu = new double[2][rounds];
        double[] ratios = new double[rounds];
        try {
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    int mode = (k + r) % 2; // 0 plain, 1 encrypted; the order alternates
                    rate[mode][r] = run(work.resolve(mode + "-" + r), seconds, mode == 1 ? age : null);
                    keelCpu[mode][r] = lastKeelCpu;
                }
                ratios[r] = rate[1][r] / rate[0][r];
            }
            double ratio = median(ratios);
            System.out.printf("Keel, plain replica:     median %6.0f tx/s; Keel threads %.3f CPU s/s%n", median(rate[0]), median(keelCpu[0]));
            System.out.printf("Keel, encrypted replica: median %6.0f tx/s; Keel threads %.3f CPU s/s%n", median(rate[1]), median(keelCpu[1]));
            System.out.printf("encrypted/plain write rate (median per round) %.3f   target >= 0.98: %s%n", ratio, ratio >= 0.98 ? "met" : "MISSED");
            System.out.printf("single-row transactions, synchronous=NORMAL, %d rounds of %d s; load average %.2f on %d cores%n",
                    rounds, seconds, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            BenchDb.deleteTree(work);
        }
    }

    private static double run(Path dir, int seconds, AgeEncryption age) throws Exception {
        Files.createDirectories(dir);
        Path db = dir.resolve("app.db");
        try (Connection app = BenchDb.open(db)) {
            ReplicaConfig replica = ReplicaConfig.of(new ReplicaStorage.File(dir.resolve("replica"))).withAge(age);
            var threads = ManagementFactory.getThreadMXBean();
            try (Replicator replicator = Replicator.configure().databases(List.of(DatabaseConfig.of(db, List.of(replica)))).start();
                 PreparedStatement ps = app.prepareStatement("INSERT INTO events (at, payload) VALUES (?, ?)")) {
                replicator.sync(); // first generation and snapshot before the clock starts
                double cpuBefore = keelCpu(threads);
                long count = 0;
                long start = System.nanoTime();
                long end = start + seconds * 1_000_000_000L;
                while (System.nanoTime() < end) {
                    ps.setLong(1, System.currentTimeMillis());
                    ps.setString(2, "event payload " + count);
                    ps.executeUpdate();
                    count++;
                }
                double wall = (System.nanoTime() - start) / 1e9;
                lastKeelCpu = (keelCpu(threads) - cpuBefore) / wall;
                System.out.printf("  %-20s %6.0f tx/s; Keel threads %.3f CPU s/s%n", age == null ? "plain" : "encrypted",
                        count / wall, lastKeelCpu);
                return count / wall;
            }
        }
    }

    private static double keelCpu(java.lang.management.ThreadMXBean threads) {
        double total = 0;
        for (long id : threads.getAllThreadIds()) {
            var info = threads.getThreadInfo(id);
            if (info != null && info.getThreadName().startsWith("keel-")) total += Math.max(0, threads.getThreadCpuTime(id)) / 1e9;
        }
        return total;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
