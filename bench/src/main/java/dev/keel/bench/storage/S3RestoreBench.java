package dev.keel.bench.storage;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Restore from S3 on loopback: 100,000 rows written in 300 transactions, each shipped by Keel's
 * replicator as one WAL segment to s3proxy; then the whole {@code keel restore} command (process start
 * included) beside {@code litestream restore} of the same replica, median of N runs each.
 * Target: keel <= 0.5 x Litestream's time. Arguments: {@code [runs, default 5]}, or {@code serve} to
 * write the replica, print how to reach it and keep serving it (for profiling by hand) until killed.
 */
public final class S3RestoreBench {
    private static final String BUCKET = "bench";
    private static final String PATH = "restore";

    public static void main(String[] args) throws Exception {
        boolean serve = args.length > 0 && args[0].equals("serve");
        int runs = args.length > 0 && !serve ? Integer.parseInt(args[0]) : 5;
        Path work = Files.createTempDirectory("keel-s3-restore-bench");
        try (S3TestServer server = new S3TestServer()) {
            server.start().createBucket(BUCKET);
            Path db = work.resolve("source.db");
            int segments = writeReplica(db, server.storage(BUCKET, PATH));
            System.out.printf("replica: 100000 rows in 300 transactions, %d WAL segments on s3proxy (%s)%n", segments, server.endpoint());

            Map<String, String> env = Map.of("LITESTREAM_ACCESS_KEY_ID", server.accessKeyId(),
                    "LITESTREAM_SECRET_ACCESS_KEY", server.secretAccessKey());
            Path out = work.resolve("out.db");
            String url = "s3://" + BUCKET + ".127.0.0.1:" + server.port() + "/" + PATH;
            if (serve) {
                System.out.printf("export LITESTREAM_ACCESS_KEY_ID=%s LITESTREAM_SECRET_ACCESS_KEY=%s%nkeel restore -o OUT %s%n",
                        server.accessKeyId(), server.secretAccessKey(), url);
                Thread.sleep(Long.MAX_VALUE);
            }
            List<String> keel = Processes.with(Processes.keelCommand(), "restore", "-o", out.toString(), url);
            Processes.time(keel, env, out); // warm-up: page cache, CDS archive
            double keelTime = Processes.median(keel, env, out, runs);
            System.out.printf("keel restore from S3 (whole command)    median %6.3f s%n", keelTime);
            double fixed = Processes.median(Processes.with(Processes.keelCommand(), "generations", url), env, null, runs);
            System.out.printf("  of which fixed cost (keel generations: JVM, S3 client, one LIST)  median %6.3f s%n", fixed);

            Path litestream = Processes.litestream();
            if (litestream == null) {
                System.out.println("litestream not installed (scripts/install-test-tools): no baseline");
                return;
            }
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
                    """.formatted(db, BUCKET, PATH, server.endpoint()));
            List<String> theirs = List.of(litestream.toString(), "restore", "-config", config.toString(), "-o", out.toString(), db.toString());
            Processes.time(theirs, env, out);
            double lsTime = Processes.median(theirs, env, out, runs);
            System.out.printf("litestream restore from S3 (baseline)  median %6.3f s%n", lsTime);
            double ratio = keelTime / lsTime;
            System.out.printf("keel/litestream time ratio %.2f   target <= 0.50: %s%n", ratio, ratio <= 0.5 ? "met" : "MISSED");
        } finally {
            Processes.deleteTree(work);
        }
    }

    /** Writes the rows through Keel's replicator, syncing after every transaction; returns the WAL segments shipped. */
    private static int writeReplica(Path db, ReplicaStorage.S3 storage) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, amount INTEGER, note TEXT)");
            DatabaseConfig config = new DatabaseConfig(db, null, null, Duration.ofHours(1), 0, 0,
                    List.of(new ReplicaConfig("s3", storage, null, null, null, null, null)));
            int[] segments = new int[1];
            try (Replicator r = Replicator.builder().databases(List.of(config)).backgroundLoops(false)
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
