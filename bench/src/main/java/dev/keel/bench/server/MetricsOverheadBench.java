package dev.keel.bench.server;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.server.ListenAddress;
import dev.keel.server.OperationsServer;
import dev.keel.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What serving metrics costs replication: the application's write rate with Keel replicating (in-process,
 * default settings, directory replica), once without the operations server and once with it listening
 * to the engine and scraped every second ({@code /metrics} and the status page's JSON), as
 * {@link dev.keel.bench.replication.WriteRateBench} measures it: single-row transactions with
 * {@code synchronous=NORMAL}, as fast as one thread commits. Rounds alternate the order; figures are
 * medians of per-round ratios. It also prints the whole process's CPU per transaction (writer, Keel's
 * threads, the server and the scraper itself), whose ratio is what a CPU-bound machine would see and
 * which other jobs on a busy machine do not distort. Target: ratio >= 0.99.
 *
 * <pre>bench/run server.MetricsOverheadBench [SECONDS_PER_ROUND=3] [ROUNDS=10]</pre>
 */
public final class MetricsOverheadBench {
    private MetricsOverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path work = Files.createTempDirectory("keel-metrics-overhead-");
        double[] off = new double[rounds];
        double[] on = new double[rounds];
        double[] ratios = new double[rounds];
        double[] cpuOff = new double[rounds];
        double[] cpuOn = new double[rounds];
        long scrapes = 0;
        for (int r = 0; r < rounds; r++) {
            boolean serverFirst = r % 2 == 1; // alternate so drift in the machine's load affects both
            for (int k = 0; k < 2; k++) {
                boolean served = (k == 0) == serverFirst;
                Result res = run(work.resolve(r + (served ? "-on" : "-off")), seconds, served);
                if (served) {
                    cpuOn[r] = res.cpuPerTx();
                    on[r] = res.rate();
                    scrapes += res.scrapes();
                } else {
                    cpuOff[r] = res.cpuPerTx();
                    off[r] = res.rate();
                }
            }
            ratios[r] = on[r] / off[r];
            System.out.printf("  round %2d: without server %6.0f tx/s (%.1f us CPU/tx), with server scraped every second %6.0f tx/s"
                    + " (%.1f us CPU/tx), ratio %.3f%n", r + 1, off[r], cpuOff[r], on[r], cpuOn[r], ratios[r]);
        }
        System.out.printf("median: without server %.0f tx/s, with server %.0f tx/s; ratio (median per round) %.3f; %d scrapes;"
                        + " process CPU per transaction %.1f us without, %.1f us with: CPU-bound ratio %.3f;"
                        + " target >= 0.99; load average %.2f on %d cores%n", median(off), median(on), median(ratios), scrapes,
                median(cpuOff), median(cpuOn), median(cpuOff) / median(cpuOn),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    /** Write rate, scrapes made, and the whole process's CPU per transaction in microseconds. */
    private record Result(double rate, long scrapes, double cpuPerTx) {
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Result run(Path dir, int seconds, boolean served) throws Exception {
        Files.createDirectories(dir);
        Path db = dir.resolve("app.db");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = app.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = NORMAL");
                s.execute("PRAGMA busy_timeout = 5000");
                s.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, at INTEGER, payload TEXT)");
            }
            OperationsServer server = served ? OperationsServer.start(ServerOptions.at(ListenAddress.parse("127.0.0.1:0"))) : null;
            DatabaseConfig config = DatabaseConfig.of(db, List.of(ReplicaConfig.of(new ReplicaStorage.File(dir.resolve("replica")))));
            Replicator.Builder builder = Replicator.configure().databases(List.of(config));
            if (server != null) builder.listener(server.listener());
            Replicator replicator = builder.start();
            replicator.sync();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong scrapes = new AtomicLong();
            Thread scraper = null;
            if (server != null) {
                String base = "http://127.0.0.1:" + server.address().getPort();
                scraper = new Thread(() -> scrape(base, running, scrapes), "scraper");
                scraper.setDaemon(true);
                scraper.start();
            }
            long count = 0;
            long cpuStart = processCpuNanos();
            try (PreparedStatement ps = app.prepareStatement("INSERT INTO events (at, payload) VALUES (?, ?)")) {
                long start = System.nanoTime();
                long end = start + seconds * 1_000_000_000L;
                while (System.nanoTime() < end) {
                    ps.setLong(1, System.currentTimeMillis());
                    ps.setString(2, "event payload " + count);
                    ps.executeUpdate();
                    count++;
                }
                double rate = count / ((System.nanoTime() - start) / 1e9);
                double cpuPerTx = (processCpuNanos() - cpuStart) / 1e3 / count;
                running.set(false);
                if (scraper != null) scraper.join();
                replicator.close();
                if (server != null) server.close();
                return new Result(rate, scrapes.get(), cpuPerTx);
            }
        }
    }

    /** GETs /metrics and the status page's first screen once a second, as Prometheus and a person would. */
    private static void scrape(String base, AtomicBoolean running, AtomicLong scrapes) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        while (running.get()) {
            try {
                for (String path : List.of("/metrics", "/api/databases")) {
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200) throw new IllegalStateException(path + " answered " + r.statusCode());
                }
                scrapes.incrementAndGet();
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
