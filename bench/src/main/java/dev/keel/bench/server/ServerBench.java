package dev.keel.bench.server;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.spi.ReplicationListener;
import dev.keel.replication.spi.ReplicationListener.FollowedReplica;
import dev.keel.server.ListenAddress;
import dev.keel.server.MetricsDetail;
import dev.keel.server.OperationsServer;
import dev.keel.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Response time of the operations server with N databases (default 10,000, one replica each, 1 % of
 * them failing), while the engine's events keep arriving (a thread sends 2,000 events a second, as a
 * busy fleet does): {@code /metrics} with a series per database, {@code /metrics} with the worst 100
 * only, the status page's first screen ({@code /api/databases}) and a name filter. The state is fed
 * through the listener the replicator would call, so the figures are the server's own cost. Prints
 * p50/p99/max per endpoint and the body size. Target: p99 <= 200 ms.
 *
 * <pre>bench/run server.ServerBench [DATABASES=10000] [REQUESTS=100]</pre>
 */
public final class ServerBench {
    private ServerBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        for (MetricsDetail detail : List.of(MetricsDetail.ALL, new MetricsDetail(100))) {
            try (OperationsServer server = OperationsServer.start(new ServerOptions(ListenAddress.parse("127.0.0.1:0"),
                    null, detail, null))) {
                ReplicationListener events = server.listener();
                Generation g = Generation.random();
                for (int i = 0; i < n; i++) follow(events, i, g);
                AtomicBoolean running = new AtomicBoolean(true);
                Thread busy = new Thread(() -> churn(events, n, g, running), "events");
                busy.setDaemon(true);
                busy.start();
                String base = "http://127.0.0.1:" + server.address().getPort();
                String label = "per-database-metrics " + detail;
                measure(base + "/metrics", "/metrics (" + label + ")", requests);
                if (detail.equals(MetricsDetail.ALL)) {
                    measure(base + "/api/databases", "/api/databases first screen (50 worst)", requests);
                    measure(base + "/api/databases?q=tenant-12&state=all&sort=name", "/api/databases?q=tenant-12 (name filter)", requests);
                    measure(base + "/readyz", "/readyz", requests);
                }
                running.set(false);
                busy.join();
            }
        }
        System.out.printf("%d databases, 1 replica each, 1 %% failing, events arriving at ~2,000/s; target p99 <= 200 ms;"
                        + " load average %.2f on %d cores%n", n,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    private static Path db(int i) {
        return Path.of("/srv/tenants/tenant-" + i + ".db");
    }

    private static void follow(ReplicationListener events, int i, Generation g) {
        Path db = db(i);
        events.databaseFollowed(db, null, List.of(new FollowedReplica("s3", "s3", "s3://bucket/tenants/tenant-" + i, null)));
        events.generationStarted(db, g, "no shadow WAL to continue (first run)");
        events.walCopied(db, new Position(g, 1, 4152), 4152);
        events.synced(db, 16_384, 4152, Duration.ofMillis(2));
        events.checkpointFinished(db, "PASSIVE", Duration.ofMillis(1), null);
        events.snapshotWritten(db, "s3", new Position(g, 1, 0), 1200, Duration.ofMillis(20));
        events.segmentWritten(db, "s3", new Position(g, 1, 0), new Position(g, 1, 4152), 300);
        events.storageOperation(db, "s3", "s3", "PUT", 1500, null);
        if (i % 100 == 0) {
            events.walCopied(db, new Position(g, 1, 8272), 4120);
            events.syncFailed(db, "s3", new java.io.IOException("connection refused: replica unreachable"));
        }
    }

    /** Writes to random databases: a WAL copy, a sync and an upload each, about 2,000 events a second. */
    private static void churn(ReplicationListener events, int n, Generation g, AtomicBoolean running) {
        Random random = new Random(1);
        long offset = 8272;
        while (running.get()) {
            for (int k = 0; k < 100; k++) {
                int i = 1 + random.nextInt(n - 1);
                if (i % 100 == 0) continue; // the failing ones stay failing
                Path db = db(i);
                offset += 4120;
                events.walCopied(db, new Position(g, 1, offset), 4120);
                events.synced(db, 16_384, offset, Duration.ofMillis(1));
                events.segmentWritten(db, "s3", new Position(g, 1, offset - 4120), new Position(g, 1, offset), 300);
                events.storageOperation(db, "s3", "s3", "PUT", 300, null);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void measure(String url, String label, int requests) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build();
        for (int i = 0; i < 10; i++) http.send(request, HttpResponse.BodyHandlers.ofByteArray()); // warm-up
        double[] ms = new double[requests];
        long bytes = 0;
        long cpuBefore = serverCpuNanos();
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            ms[i] = (System.nanoTime() - start) / 1e6;
            bytes = r.body().length;
        }
        double cpuMs = (serverCpuNanos() - cpuBefore) / 1e6 / requests;
        Arrays.sort(ms);
        System.out.printf("%-46s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  server CPU %6.1f ms/request  body %,d bytes%n", label + ":",
                ms[(int) (requests * 0.50)], ms[Math.min(requests - 1, (int) Math.ceil(requests * 0.99) - 1)], ms[requests - 1],
                cpuMs, bytes);
    }

    /** CPU time of the server's request threads: what a request costs, which a busy machine does not distort. */
    private static long serverCpuNanos() {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            var info = threads.getThreadInfo(id);
            if (info != null && info.getThreadName().startsWith("keel-http")) sum += Math.max(0, threads.getThreadCpuTime(id));
        }
        return sum;
    }
}
