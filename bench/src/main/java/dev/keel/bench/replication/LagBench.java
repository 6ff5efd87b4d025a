package dev.keel.bench.replication;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Replication lag: time from an application's commit until the WAL segment holding it was
 * acknowledged by the replica (a directory, fsynced), p50 and p99, at the default sync interval (1 s)
 * and at 100 ms. The writer commits single rows at a steady pace; a commit's WAL end offset is the
 * WAL file size right after it (checkpoints are held off during the run so the WAL index stays put).
 * Target: p99 <= sync interval + 50 ms.
 *
 * <pre>bench/run replication.LagBench [SECONDS=15] [COMMITS_PER_SECOND=50]</pre>
 */
public final class LagBench {
    private LagBench() {
    }

    private record Commit(long nanos, long walEnd) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path work = Files.createTempDirectory("keel-lag-");
        try {
            for (Duration interval : List.of(ReplicaConfig.DEFAULT_SYNC_INTERVAL, Duration.ofMillis(100))) {
                double[] lags = run(work.resolve("sync-" + interval.toMillis()), interval, seconds, rate);
                double target = interval.toMillis() + 50;
                double p99 = BenchDb.percentile(lags, 99);
                System.out.printf("sync-interval %d ms: %d commits, lag p50 %.1f ms, p99 %.1f ms, max %.1f ms; p99/target %.2f (target p99 <= %.0f ms)%n",
                        interval.toMillis(), lags.length, BenchDb.percentile(lags, 50), p99, lags.length == 0 ? Double.NaN : lags[lags.length - 1],
                        p99 / target, target);
            }
        } finally {
            BenchDb.deleteTree(work);
        }
    }

    private static double[] run(Path dir, Duration syncInterval, int seconds, int rate) throws Exception {
        Files.createDirectories(dir);
        Path db = dir.resolve("app.db");
        Path wal = dir.resolve("app.db-wal");
        ConcurrentLinkedQueue<Commit> pending = new ConcurrentLinkedQueue<>();
        List<Double> lags = new ArrayList<>();
        long[] index = {-1};
        ReplicationListener listener = new ReplicationListener() {
            @Override
            public void segmentWritten(Path d, String replica, Position start, Position end, long bytes) {
                long now = System.nanoTime();
                if (end.index() != index[0]) return;
                synchronized (lags) {
                    for (Iterator<Commit> it = pending.iterator(); it.hasNext(); ) {
                        Commit c = it.next();
                        if (c.walEnd() <= end.offset()) {
                            lags.add((now - c.nanos()) / 1e6);
                            it.remove();
                        }
                    }
                }
            }
        };
        try (Connection app = BenchDb.open(db)) {
            // Checkpoints held off so one WAL index covers the run (the default policy would also
            // checkpoint at 1000 pages, which changes nothing about lag but moves offsets to a new index).
            DatabaseConfig config = new DatabaseConfig(db, null, null, Duration.ofHours(1), 1_000_000, 2_000_000,
                    List.of(new ReplicaConfig("dir", new ReplicaStorage.File(dir.resolve("replica")), syncInterval, null, null, null, null)));
            try (Replicator replicator = Replicator.configure().databases(List.of(config)).listener(listener).start()) {
                replicator.sync();
                index[0] = replicator.position(db).index();
                try (PreparedStatement ps = app.prepareStatement("INSERT INTO events (at, payload) VALUES (?, ?)")) {
                    long periodNanos = 1_000_000_000L / rate;
                    long next = System.nanoTime();
                    long end = next + seconds * 1_000_000_000L;
                    int n = 0;
                    while (System.nanoTime() < end) {
                        ps.setLong(1, System.currentTimeMillis());
                        ps.setString(2, "event " + n);
                        ps.executeUpdate();
                        long committed = System.nanoTime();
                        if (n++ >= 20) pending.add(new Commit(committed, Files.size(wal))); // skip the WAL's first reuse
                        next += periodNanos;
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    }
                }
                Thread.sleep(syncInterval.toMillis() * 2 + 200); // let the last commits arrive
            }
        }
        synchronized (lags) {
            return lags.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
    }
}
