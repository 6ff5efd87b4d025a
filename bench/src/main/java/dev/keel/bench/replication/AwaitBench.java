package dev.keel.bench.replication;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;

/**
 * {@code Replicator.awaitReplicated} after a commit that must not be lost: time from the end of the
 * commit until the call returns (the commit copied, compressed, written and fsynced in the replica
 * directory), p50 and p99, with {@code sync-interval: 1s}. Baseline in the same run: the commit itself
 * (single-row INSERT, synchronous=FULL) and, for scale, the wait a caller would have without it (the
 * sync interval). Target: p50 <= 50 ms, p99 <= 100 ms.
 *
 * <pre>bench/run replication.AwaitBench [COMMITS=300]</pre>
 */
public final class AwaitBench {
    private AwaitBench() {
    }

    public static void main(String[] args) throws Exception {
        int commits = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path dir = Files.createTempDirectory("keel-await-");
        try {
            Path db = dir.resolve("app.db");
            Duration interval = Duration.ofSeconds(1);
            DatabaseConfig config = DatabaseConfig.of(db, List.of(new ReplicaConfig("dir",
                    new ReplicaStorage.File(dir.resolve("replica")), interval, null, null, null, null)));
            double[] commit = new double[commits];
            double[] await = new double[commits];
            try (Connection app = BenchDb.open(db)) {
                try (var s = app.createStatement()) {
                    s.execute("PRAGMA synchronous = FULL"); // a payment is fsynced locally before it is shipped
                    s.execute("CREATE TABLE payments (id INTEGER PRIMARY KEY, amount INTEGER, note TEXT)");
                }
                try (Replicator r = Replicator.configure().database(config).start();
                     PreparedStatement insert = app.prepareStatement("INSERT INTO payments (amount, note) VALUES (?, ?)")) {
                    r.awaitReplicated(db, Duration.ofSeconds(60)); // the first snapshot
                    for (int i = -20; i < commits; i++) { // 20 rounds of warm-up
                        long t0 = System.nanoTime();
                        insert.setInt(1, i);
                        insert.setString(2, "payment " + i);
                        insert.executeUpdate();
                        long t1 = System.nanoTime();
                        r.awaitReplicated(db, Duration.ofSeconds(10));
                        long t2 = System.nanoTime();
                        if (i >= 0) {
                            commit[i] = (t1 - t0) / 1e6;
                            await[i] = (t2 - t1) / 1e6;
                        }
                        Thread.sleep(5); // an application's pace, not a tight loop
                    }
                }
            }
            java.util.Arrays.sort(commit);
            java.util.Arrays.sort(await);
            double p50 = BenchDb.percentile(await, 50);
            double p99 = BenchDb.percentile(await, 99);
            System.out.printf("commit (baseline)            p50 %6.2f ms  p99 %6.2f ms%n", BenchDb.percentile(commit, 50),
                    BenchDb.percentile(commit, 99));
            System.out.printf("awaitReplicated after commit p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms   (%d commits)%n",
                    p50, p99, await[await.length - 1], commits);
            System.out.printf("ratio to the commit: p50 %.1f x, p99 %.1f x; to the sync interval a caller would wait without it (%d ms): p50 %.3f x%n",
                    p50 / BenchDb.percentile(commit, 50), p99 / BenchDb.percentile(commit, 99), interval.toMillis(),
                    p50 / interval.toMillis());
            System.out.printf("target p50 <= 50 ms: %s; p99 <= 100 ms: %s%n", p50 <= 50 ? "met" : "MISSED", p99 <= 100 ? "met" : "MISSED");
            System.out.printf("machine: %d cores, load average %s%n", Runtime.getRuntime().availableProcessors(),
                    Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            BenchDb.deleteTree(dir);
        }
    }
}
