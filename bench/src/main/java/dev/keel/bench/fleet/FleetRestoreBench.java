package dev.keel.bench.fleet;

import dev.keel.bench.storage.Processes;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fleet restore of a prefix from S3 on loopback: N small WAL databases (five rows each, made as in
 * {@link FleetBench}) replicated once by Keel's replicator to s3proxy under {@code tenants/<name>.db}
 * (the layout of a {@code dir:} entry), then the whole {@code keel restore -o OUT/ s3://bucket/tenants}
 * command timed as a process, and every restored database checked (row count). Target: 1,000
 * databases in <= 30 s. The config form ({@code keel restore -config keel.yml} with one {@code dir:} entry)
 * is timed the same way. Baseline: Litestream 0.3.13 cannot restore a prefix, so a loop of one
 * {@code litestream restore} per database is timed over a sample and extrapolated to N.
 *
 * <pre>bench/run fleet.FleetRestoreBench [N=1000] [sample=50]</pre>
 */
public final class FleetRestoreBench {
    private static final String BUCKET = "bench";
    private static final String PREFIX = "tenants";
    private static final int ROWS = 5;

    private FleetRestoreBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int sample = Math.min(n, args.length > 1 ? Integer.parseInt(args[1]) : 50);
        Path work = Files.createTempDirectory("keel-fleet-restore-");
        System.out.printf("FleetRestoreBench: %d databases, load average %s%n", n, loadAverage());
        try (S3TestServer server = new S3TestServer()) {
            server.start().createBucket(BUCKET);
            List<Path> dbs = FleetBench.createDatabases(work.resolve("dbs"), n);
            long t = System.nanoTime();
            replicate(server, dbs);
            System.out.printf("replicated %d databases to s3proxy in %.1f s%n", n, (System.nanoTime() - t) / 1e9);
            Map<String, String> env = Map.of("LITESTREAM_ACCESS_KEY_ID", server.accessKeyId(),
                    "LITESTREAM_SECRET_ACCESS_KEY", server.secretAccessKey());
            String url = "s3://" + BUCKET + ".127.0.0.1:" + server.port() + "/" + PREFIX;
            Path warm = work.resolve("warm.db"); // JVM start-up aids and s3proxy's GET path, not timed
            Processes.time(Processes.with(Processes.keelCommand(), "restore", "-o", warm.toString(), url + "/" + dbs.get(0).getFileName()), env, warm);
            Path out = work.resolve("out");
            System.out.printf("load average before keel restore %s%n", loadAverage());
            double keel = Processes.time(Processes.with(Processes.keelCommand(), "restore", "-o", out + "/", url), env, null);
            verify(out, dbs, n);
            System.out.printf("keel restore -o OUT/ %s: %d databases in %.2f s (%.1f ms/db), all %d rows each   target <= 30 s for 1,000: %s%n",
                    url, n, keel, keel * 1000 / n, ROWS, keel * 1000 / n <= 30 ? "met" : "MISSED");
            Path configured = work.resolve("out-config");
            double fromConfig = Processes.time(Processes.with(Processes.keelCommand(), "restore", "-config",
                    dirConfig(work, configured, server.port()).toString()), env, null);
            verify(configured, dbs, n);
            System.out.printf("keel restore -config keel.yml (one dir: entry): %d databases in %.2f s, all %d rows each   load average %s%n",
                    n, fromConfig, ROWS, loadAverage());
            Path litestream = Processes.litestream();
            if (litestream == null) {
                System.out.println("litestream not installed: no baseline");
                return;
            }
            double loop = litestreamLoop(litestream, work, dbs.subList(0, sample), server.port(), env);
            double extrapolated = loop * n / sample;
            System.out.printf("litestream restore loop: %d databases in %.2f s (%.1f ms/db), extrapolated to %d: %.1f s%n",
                    sample, loop, loop * 1000 / sample, n, extrapolated);
            System.out.printf("ratio keel / litestream loop (extrapolated) %.3f   load average %s%n", keel / extrapolated, loadAverage());
        } finally {
            Processes.deleteTree(work);
        }
    }

    /** One replicator for the whole fleet, no background loops: one sync ships a snapshot of each. */
    private static void replicate(S3TestServer server, List<Path> dbs) throws Exception {
        List<DatabaseConfig> configs = new ArrayList<>();
        for (Path db : dbs) {
            configs.add(DatabaseConfig.of(db, List.of(new ReplicaConfig("s3",
                    server.storage(BUCKET, PREFIX + "/" + db.getFileName()), null, null, null, null, null))));
        }
        try (Replicator r = Replicator.configure().databases(configs).backgroundLoops(false).start()) {
            r.sync();
        }
    }

    private static void verify(Path out, List<Path> dbs, int n) throws Exception {
        try (var files = Files.list(out)) {
            long count = files.filter(f -> f.getFileName().toString().endsWith(".db")).count();
            if (count != n) throw new IllegalStateException(out + " holds " + count + " databases, expected " + n);
        }
        for (Path db : dbs) {
            Path restored = out.resolve(db.getFileName());
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + restored + "?mode=ro");
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
                if (!rs.next() || rs.getInt(1) != ROWS) throw new IllegalStateException(restored + ": wrong row count");
            }
        }
    }

    /** A Keel config with one {@code dir:} entry whose replica is the prefix: how a fresh host restores its fleet. */
    private static Path dirConfig(Path work, Path dir, int port) throws java.io.IOException {
        Path config = work.resolve("keel.yml");
        Files.writeString(config, """
                dbs:
                  - dir: %s
                    replicas:
                      - url: s3://%s/%s
                        endpoint: http://127.0.0.1:%d
                        region: us-east-1
                        force-path-style: true
                """.formatted(dir, BUCKET, PREFIX, port));
        return config;
    }

    /** One {@code litestream restore} process per database, one after another, as a shell loop runs them. */
    private static double litestreamLoop(Path litestream, Path work, List<Path> sample, int port, Map<String, String> env) throws Exception {
        StringBuilder yaml = new StringBuilder("dbs:\n");
        for (Path db : sample) {
            yaml.append("  - path: ").append(db).append("\n    replicas:\n      - type: s3\n        bucket: ").append(BUCKET)
                    .append("\n        path: ").append(PREFIX).append('/').append(db.getFileName())
                    .append("\n        endpoint: http://127.0.0.1:").append(port)
                    .append("\n        region: us-east-1\n        force-path-style: true\n");
        }
        Path config = work.resolve("litestream.yml");
        Files.writeString(config, yaml);
        Path out = Files.createDirectories(work.resolve("out-litestream"));
        double total = 0;
        for (Path db : sample) {
            Path target = out.resolve(db.getFileName());
            total += Processes.time(List.of(litestream.toString(), "restore", "-config", config.toString(),
                    "-o", target.toString(), db.toString()), env, target);
        }
        verify(out, sample, sample.size());
        return total;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
