package dev.keel.bench.storage;

import dev.keel.testing.FaultyReplicaClient.Operation;
import dev.keel.testing.S3TestServer;
import dev.keel.testing.UploadCost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Storage requests per hour for a database taking one small write per second, replicated to S3
 * (s3proxy on loopback) with default settings, counted by a wrapper around the real client.
 * Target: no LIST in steady state. Arguments: {@code [seconds measured, default 60]}.
 */
public final class UploadCostBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        Path work = Files.createTempDirectory("keel-upload-cost-bench");
        try (S3TestServer server = new S3TestServer()) {
            server.start().createBucket("bench");
            UploadCost.Result r = UploadCost.measure(work.resolve("app.db"), server.storage("bench", "cost"),
                    Duration.ofSeconds(5), Duration.ofSeconds(seconds));
            System.out.printf("%d writes (one per second) measured over %d s after a 5 s warm-up, default settings%n",
                    r.writes(), seconds);
            for (Operation op : Operation.values()) {
                System.out.printf("%-6s %6d requests   %8.0f per hour%n", op, r.requests().get(op), r.perHour(op));
            }
            long lists = r.requests().get(Operation.LIST);
            System.out.printf("LIST in steady state: %d   target 0: %s%n", lists, lists == 0 ? "met" : "MISSED");
        } finally {
            Processes.deleteTree(work);
        }
    }
}
