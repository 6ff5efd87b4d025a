package dev.keel.bench.storage;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.S3TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Restore from S3 on loopback: 100,000 rows written in 300 transactions, each shipped by Keel's
 * replicator as one WAL segment to s3proxy; then the whole {@code keel restore} command (process start
 * included) beside {@code litestream restore} of the same replica, alternating, median of N runs each.
 * Target: keel <= 0.5 x Litestream's time. Then the same over a link with round trips of RTT ms (a
 * {@link FaultProxy} in front of s3proxy), where restores really run. Arguments:
 * {@code [runs, default 5] [RTT ms, default 10; 0 skips it]}, or {@code serve} to
 * write the replica, print how to reach it and keep serving it (for profiling by hand) until killed.
 */
public final class S3RestoreBench {
    private static final String BUCKET = "bench";
    private static final String PATH = "restore";

    public static void main(String[] args) throws Exception {
        boolean serve = args.length > 0 && args[0].equals("serve");
        int runs = args.length > 0 && !serve ? Integer.parseInt(args[0]) : 5;
        int rttMillis = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path work = Files.createTempDirectory("keel-s3-restore-bench");
        try (S3TestServer server = new S3TestServer()) {
            server.start().createBucket(BUCKET);
            Path db = work.resolve("source.db");
            int segments = writeReplica(db, server.storage(BUCKET, PATH));
            System.out.printf("replica: 100000 rows in 300 transactions, %d WAL segments on s3proxy (%s)%n", segments, server.endpoint());
            Map<String, String> env = Map.of("LITESTREAM_ACCESS_KEY_ID", server.accessKeyId(),
                    "LITESTREAM_SECRET_ACCESS_KEY", server.secretAccessKey());
            if (serve) {
                System.out.printf("export LITESTREAM_ACCESS_KEY_ID=%s LITESTREAM_SECRET_ACCESS_KEY=%s%nkeel restore -o OUT %s%n",
                        server.accessKeyId(), server.secretAccessKey(), url(server.port()));
                Thread.sleep(Long.MAX_VALUE);
            }
            double ratio = compare("loopback", work, db, server.port(), env, runs);
            if (!Double.isNaN(ratio)) {
                System.out.printf("keel/litestream time ratio %.2f   target <= 0.50: %s%n", ratio, ratio <= 0.5 ? "met" : "MISSED");
            }
            if (rttMillis > 0) {
                // Not the target's setting, but where restores really run: a link whose round trips cost time.
                try (FaultProxy link = new FaultProxy(server.port()).latency(Duration.ofMillis(rttMillis))) {
                    double linkRatio = compare(rttMillis + " ms round trips", work, db, link.port(), env, runs);
                    if (!Double.isNaN(linkRatio)) System.out.printf("keel/litestream time ratio over %d ms round trips %.2f%n", rttMillis, linkRatio);
                }
            }
        } finally {
            Processes.deleteTree(work);
        }
    }

    private static String url(int port) {
        return "s3://" + BUCKET + ".127.0.0.1:" + port + "/" + PATH;
    }

    /**
     * Times both tools restoring from the server at {@code port}, alternating; prints the medians and
     * returns keel's time over Litestream's (NaN without Litestream).
     */
    private static double compare(String link, Path work, Path db, int port, Map<String, String> env, int runs) throws Exception {
        Path out = work.resolve("out.db");
        List<String> keel = Processes.with(Processes.keelCommand(), "restore", "-o", out.toString(), url(port));
        List<String> generations = Processes.with(Processes.keelCommand(), "generations", url(port));
        Path litestream = Processes.litestream();
        List<String> theirs = litestream == null ? null : List.of(litestream.toString(), "restore", "-config",
                litestreamConfig(work, db, port).toString(), "-o", out.toString(), db.toString());
        // s3proxy runs in this JVM and is still compiling its GET path after the writes: warm it (and
        // the page cache and keel's start-up archive) with both tools, then alternate them so that
        // neither is timed against a colder server than the other.
        for (int i = 0; i < 3; i++) {
            Processes.time(keel, env, out);
            if (theirs != null) Processes.time(theirs, env, out);
        }
        List<Double> keelTimes = new ArrayList<>();
        List<Double> fixedTimes = new ArrayList<>();
        List<Double> theirTimes = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            keelTimes.add(Processes.time(keel, env, out));
            fixedTimes.add(Processes.time(generations, env, null));
            if (theirs != null) theirTimes.add(Processes.time(theirs, env, out));
        }
        System.out.printf("%s: keel restore from S3 (whole command)    median %6.3f s%n", link, median(keelTimes));
        System.out.printf("%s:   of which fixed cost (keel generations: JVM, S3 client, one LIST)  median %6.3f s%n", link, median(fixedTimes));
        if (theirs == null) {
            System.out.println("litestream not installed (scripts/install-test-tools): no baseline");
            return Double.NaN;
        }
        System.out.printf("%s: litestream restore from S3 (baseline)  median %6.3f s%n", link, median(theirTimes));
        return median(keelTimes) / median(theirTimes);
    }

    private static double median(List<Double> times) {
        List<Double> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static Path litestreamConfig(Path work, Path db, int port) throws IOException {
        Path config = work.resolve("litestream.yml");
        Files.writeString(config, """
                dbs:
                  - path: %s
                    replicas:
                      - type: s3
                        bucket: %s
                        path: %s
                        endpoint: %s
                        region: us-east-1
                        force-path-style: true
                """.formatted(db, BUCKET, PATH, "http://127.0.0.1:" + port));
        return config;
    }

    /** Writes the rows through Keel's replicator, syncing after every transaction; returns the WAL segments shipped. */
    private static int writeReplica(Path db, ReplicaStorage.S3 storage) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, amount INTEGER, note TEXT)");
            DatabaseConfig config = new DatabaseConfig(db, null, null, Duration.ofHours(1), 0, 0,
                    List.of(new ReplicaConfig("s3", storage, null, null, null, null, null)));
            int[] segments = new int[1];
            try (Replicator r = Replicator.configure().databases(List.of(config)).backgroundLoops(false)
                    .listener(new dev.keel.replication.spi.ReplicationListener() {
                        @Override
                        public void segmentWritten(Path d, String replica, dev.keel.replication.api.Position from,
                                                   dev.keel.replication.api.Position to, long bytes) {
                            segments[0]++;
                        }
                    }).start()) {
                r.sync();
                for (int tx = 0; tx < 300; tx++) {
                    int n = tx < 200 ? 333 : 334;
                    s.execute("WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM k WHERE x<" + n + ") "
                            + "INSERT INTO t(name, amount, note) SELECT 'customer-' || (abs(random()) % 100000), "
                            + "abs(random()) % 100000, hex(randomblob(40)) FROM k");
                    r.sync();
                }
            }
            return segments[0];
        }
    }
}
