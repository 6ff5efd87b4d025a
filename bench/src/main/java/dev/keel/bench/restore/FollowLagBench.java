package dev.keel.bench.restore;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.Follower;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import dev.keel.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Follower lag: time from a commit on the primary until a read-only reader of a follower's copy
 * sees it, p50 and p99, with the primary replicating at {@code sync-interval: 100ms} to a directory
 * replica and to S3 (s3proxy in this JVM), and the follower polling at its default interval (1 s)
 * and at 100 ms. Baseline, measured in the same run: the replication lag (commit until the replica
 * acknowledged the segment holding it), which the follower cannot beat. The writer commits one row
 * at a steady pace; the reader polls the copy every 5 ms. Target (directory and S3, follow interval
 * 100 ms): p99 <= 300 ms.
 *
 * <pre>bench/run restore.FollowLagBench [SECONDS=15] [COMMITS_PER_SECOND=20]</pre>
 */
public final class FollowLagBench {
    private FollowLagBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path work = Files.createTempDirectory("keel-follow-lag-");
        S3TestServer s3 = new S3TestServer().start();
        try {
            String bucket = s3.createBucket("follow-lag");
            for (String kind : List.of("dir", "s3")) {
                for (Duration poll : List.of(Follower.DEFAULT_POLL_INTERVAL, Duration.ofMillis(100))) {
                    Path dir = work.resolve(kind + "-" + poll.toMillis());
                    Files.createDirectories(dir);
                    ReplicaStorage storage = kind.equals("dir") ? new ReplicaStorage.File(dir.resolve("replica"))
                            : s3.storage(bucket, "app-" + poll.toMillis());
                    double[][] lags = run(dir, storage, poll, seconds, rate);
                    double[] follow = lags[0], replicated = lags[1];
                    double p99 = percentile(follow, 99);
                    System.out.printf("%s replica, sync-interval 100 ms, follow interval %d ms: %d commits; visible on the follower"
                                    + " p50 %.1f ms, p99 %.1f ms, max %.1f ms; replicated (baseline) p50 %.1f ms, p99 %.1f ms;"
                                    + " follower p99 / replication p99 %.2f; p99 / 300 ms target %.2f%n",
                            kind, poll.toMillis(), follow.length, percentile(follow, 50), p99, follow[follow.length - 1],
                            percentile(replicated, 50), percentile(replicated, 99), p99 / percentile(replicated, 99), p99 / 300);
                }
            }
        } finally {
            s3.close();
            try (Stream<Path> files = Files.walk(work)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Returns {follower lags, replication lags} in ms, sorted. */
    private static double[][] run(Path dir, ReplicaStorage storage, Duration poll, int seconds, int rate) throws Exception {
        Path db = dir.resolve("app.db");
        Path copy = dir.resolve("copy.db");
        int max = seconds * rate + 1000;
        long[] committedAt = new long[max];
        long[] visibleAt = new long[max];
        long[] uploadedAt = new long[max];
        long[] walEnd = new long[max];
        long[] index = {-1};
        int[] uploaded = {0};
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE events(id INTEGER PRIMARY KEY, payload TEXT)");
            ReplicationListener listener = new ReplicationListener() {
                @Override
                public void segmentWritten(Path d, String replica, Position start, Position end, long bytes) {
                    long now = System.nanoTime();
                    synchronized (uploaded) {
                        if (end.index() != index[0]) return;
                        while (committedAt[uploaded[0] + 1] != 0 && walEnd[uploaded[0] + 1] <= end.offset()) {
                            uploadedAt[++uploaded[0]] = now;
                        }
                    }
                }
            };
            // Checkpoints held off so that one WAL index covers the run and offsets identify commits.
            DatabaseConfig config = new DatabaseConfig(db, null, null, Duration.ofHours(1), 1_000_000, 2_000_000,
                    List.of(new ReplicaConfig("r", storage, Duration.ofMillis(100), null, null, null, null)));
            try (Replicator replicator = Replicator.configure().databases(List.of(config)).listener(listener).start();
                 ReplicaClient client = ReplicaClients.open(storage)) {
                replicator.sync();
                synchronized (uploaded) {
                    index[0] = replicator.position(db).index();
                }
                Follower follower = Follower.configure().from(client).output(copy).pollInterval(poll).start();
                Thread following = new Thread(follower::run, "follower");
                following.start();
                AtomicBoolean stop = new AtomicBoolean();
                Thread reader = new Thread(() -> watch(copy, visibleAt, stop), "reader");
                reader.start();
                int n = 0;
                try (PreparedStatement ps = app.prepareStatement("INSERT INTO events(id, payload) VALUES (?, ?)")) {
                    long period = 1_000_000_000L / rate;
                    long next = System.nanoTime();
                    long end = next + seconds * 1_000_000_000L;
                    while (System.nanoTime() < end && n + 1 < max) {
                        n++;
                        ps.setInt(1, n);
                        ps.setString(2, "event " + n);
                        ps.executeUpdate();
                        long now = System.nanoTime();
                        synchronized (uploaded) {
                            walEnd[n] = Files.size(dir.resolve("app.db-wal"));
                            committedAt[n] = now;
                        }
                        next += period;
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    }
                }
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (visibleAt[n] == 0 && System.nanoTime() < deadline) Thread.sleep(10);
                stop.set(true);
                reader.join();
                follower.close();
                following.join();
                int skip = Math.min(20, n / 4); // the first commits reuse the WAL from its start
                double[] follow = new double[n - skip];
                double[] repl = new double[n - skip];
                int r = 0;
                for (int i = skip + 1; i <= n; i++) {
                    follow[i - skip - 1] = (visibleAt[i] - committedAt[i]) / 1e6;
                    if (uploadedAt[i] != 0) repl[r++] = (uploadedAt[i] - committedAt[i]) / 1e6;
                }
                Arrays.sort(follow);
                double[] replicated = Arrays.copyOf(repl, r);
                Arrays.sort(replicated);
                return new double[][] {follow, replicated};
            }
        }
    }

    /** Polls the copy read-only every 5 ms; marks every commit up to the highest id seen as visible. */
    private static void watch(Path copy, long[] visibleAt, AtomicBoolean stop) {
        int seen = 0;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + copy.toUri().getRawPath() + "?mode=ro");
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=10000");
            while (!stop.get()) {
                try (ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM events")) {
                    int top = rs.getInt(1);
                    long now = System.nanoTime();
                    while (seen < top && seen + 1 < visibleAt.length) visibleAt[++seen] = now;
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException("reader failed", e);
        }
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }
}
