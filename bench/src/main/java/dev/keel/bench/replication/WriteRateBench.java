package dev.keel.bench.replication;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Application write rate with Keel replicating (in-process, default settings, directory replicas)
 * against the same writes without replication, measured in one run, for one workload:
 * <ul>
 *   <li>{@code single} (default): single-row transactions, one writer, {@code synchronous=NORMAL};</li>
 *   <li>{@code threads4}: the same from 4 writer threads on one database;</li>
 *   <li>{@code rows100}: 100-row transactions, one writer;</li>
 *   <li>{@code full}: single-row transactions with {@code synchronous=FULL} (target 0.97);</li>
 *   <li>{@code dbs100}: 100 databases in one process, one writer taking turns over them (the fleet
 *       case, target 0.9); {@code dbs100x4}: the same from 4 writer threads, which leave no core free
 *       on 2 cores, so every replicator's CPU comes off the writers' rate.</li>
 * </ul>
 * Keel runs both with the application's default {@code wal_autocheckpoint} and with it off (Keel then
 * checkpoints for the application). Rounds rotate the order so drift in the machine's load affects every
 * mode; figures are medians. Besides wall-clock rates it prints the writers' CPU per transaction, which a
 * busy machine does not distort, and how long the first writer waited for a core. Litestream 0.3.13
 * replicating the same writes (when installed in .tools) is the reference. Target: ratio >= 0.95.
 * <p>
 * With Keel it also prints, per run, the replication lag of each WAL segment a replica received (from the
 * end of the copy that preceded the segment's first frame, so from no later than its oldest commit's
 * copy, to the segment's upload; p99 target {@code sync-interval} + 50 ms) and the WAL's high-water mark
 * in frames (SQLite reuses the file, so its size is the most it ever held; target below
 * {@code max-checkpoint-page-count}).
 *
 * <pre>bench/run replication.WriteRateBench [SECONDS_PER_ROUND=3] [ROUNDS=6] [WORKLOAD=single]</pre>
 */
public final class WriteRateBench {
    private WriteRateBench() {
    }

    /** Writer threads' CPU per transaction of the last run, in microseconds. */
    private static double lastCpuPerTx;
    /** Per Keel mode: every segment's lag (ms) and every run's WAL high-water mark (frames), over all rounds. */
    private static final Map<Mode, List<Double>> LAGS = new EnumMap<>(Mode.class);
    private static final Map<Mode, List<Long>> WAL_HIGH = new EnumMap<>(Mode.class);
    /** Per mode: Keel's checkpoints per database per second of writing, one figure per run, and the WAL's frames at each. */
    private static final Map<Mode, List<Double>> CHECKPOINT_RATE = new EnumMap<>(Mode.class);
    private static final Map<Mode, List<Long>> CHECKPOINT_FRAMES = new EnumMap<>(Mode.class);

    /** What runs beside the writers. */
    private enum Mode {
        PLAIN("without replication"),
        KEEL("with Keel"),
        KEEL_NO_APP_CHECKPOINTS("with Keel, app wal_autocheckpoint=0"),
        LITESTREAM("with Litestream 0.3.13 (reference)");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** The application's writes. */
    private record Workload(String name, int threads, int rowsPerTx, boolean full, int databases, String describe) {
        static Workload named(String name) {
            return switch (name) {
                case "single" -> new Workload(name, 1, 1, false, 1, "single-row transactions, one writer, synchronous=NORMAL");
                case "threads4" -> new Workload(name, 4, 1, false, 1, "single-row transactions, 4 writer threads, synchronous=NORMAL");
                case "rows100" -> new Workload(name, 1, 100, false, 1, "100-row transactions, one writer, synchronous=NORMAL");
                case "full" -> new Workload(name, 1, 1, true, 1, "single-row transactions, one writer, synchronous=FULL");
                case "dbs100" -> new Workload(name, 1, 1, false, 100, "single-row transactions on 100 databases in turn, one writer, synchronous=NORMAL");
                case "dbs100x4" -> new Workload(name, 4, 1, false, 100, "single-row transactions on 100 databases, 4 writer threads, synchronous=NORMAL");
                default -> throw new IllegalArgumentException("unknown workload " + name + ": single, threads4, rows100, full, dbs100 or dbs100x4");
            };
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        Workload workload = Workload.named(args.length > 2 ? args[2] : "single");
        Path work = Files.createTempDirectory("keel-write-rate-");
        Mode[] modes = Files.isExecutable(litestream()) ? Mode.values()
                : Arrays.copyOf(Mode.values(), Mode.LITESTREAM.ordinal());
        double[][] rate = new double[modes.length][rounds];
        double[][] cpu = new double[modes.length][rounds];
        try {
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < modes.length; k++) {
                    Mode m = modes[(k + r) % modes.length]; // rotate the order so drift affects every mode
                    rate[m.ordinal()][r] = run(work.resolve(m + "-" + r), seconds, m, workload);
                    cpu[m.ordinal()][r] = lastCpuPerTx;
                }
            }
            double plainCpu = median(cpu[Mode.PLAIN.ordinal()]);
            for (Mode m : modes) {
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) ratios[r] = rate[m.ordinal()][r] / rate[Mode.PLAIN.ordinal()][r];
                System.out.printf("%-38s median %6.0f tx/s; ratio to without (median per round) %.3f; writer CPU %.2f us/tx, CPU-bound ratio %.3f%n",
                        m.label + ":", median(rate[m.ordinal()]), median(ratios), median(cpu[m.ordinal()]),
                        plainCpu / median(cpu[m.ordinal()]));
            }
            for (Mode m : LAGS.keySet()) {
                double[] lags = LAGS.get(m).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                long high = WAL_HIGH.get(m).stream().mapToLong(Long::longValue).max().orElse(0);
                System.out.printf("%-38s replication lag over %d segments p50 %.0f ms, p99 %.0f ms, max %.0f ms (target p99 <= %d ms); "
                                + "WAL high-water %d frames (max-checkpoint-page-count %d)%n", m.label + ":", lags.length,
                        BenchDb.percentile(lags, 50), BenchDb.percentile(lags, 99), lags.length == 0 ? 0 : lags[lags.length - 1],
                        ReplicaConfig.DEFAULT_SYNC_INTERVAL.toMillis() + 50, high, DatabaseConfig.DEFAULT_MAX_CHECKPOINT_PAGE_COUNT);
                double[] at = CHECKPOINT_FRAMES.get(m).stream().mapToDouble(Long::doubleValue).sorted().toArray();
                System.out.printf("%-38s checkpoints %.2f per database per second (median per run); WAL frames at a checkpoint p50 %.0f, p90 %.0f%n",
                        m.label + ":", median(CHECKPOINT_RATE.get(m).stream().mapToDouble(Double::doubleValue).toArray()),
                        BenchDb.percentile(at, 50), BenchDb.percentile(at, 90));
            }
            System.out.printf("%s, %d rounds of %d s; target ratio >= %s; load average %.2f on %d cores%n",
                    workload.describe(), rounds, seconds, workload.full() ? "0.97" : workload.databases() > 1 ? "0.9" : "0.95",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
        } finally {
            try {
                BenchDb.deleteTree(work);
            } catch (IOException e) { // never in place of what stopped the runs
                System.err.println("could not delete " + work + ": " + e);
            }
        }
    }

    private static double run(Path dir, int seconds, Mode mode, Workload workload) throws Exception {
        Files.createDirectories(dir);
        List<Path> dbs = new ArrayList<>();
        List<Connection> apps = new ArrayList<>();
        Replicator replicator = null;
        Process litestream = null;
        SegmentLag lag = new SegmentLag();
        try {
            for (int i = 0; i < workload.databases(); i++) {
                Path db = dir.resolve(workload.databases() == 1 ? "app.db" : "tenant-" + i + ".db");
                dbs.add(db);
                apps.add(BenchDb.open(db)); // creates the database: the replicators find it in WAL mode
            }
            if (mode == Mode.LITESTREAM) litestream = startLitestream(dir, dbs);
            if (mode == Mode.KEEL || mode == Mode.KEEL_NO_APP_CHECKPOINTS) {
                List<DatabaseConfig> configs = new ArrayList<>();
                for (Path db : dbs) {
                    configs.add(DatabaseConfig.of(db, List.of(ReplicaConfig.of(new ReplicaStorage.File(replicaOf(db))))));
                }
                replicator = Replicator.configure().databases(configs).listener(lag).start();
                replicator.sync(); // first generations and snapshots before the clock starts
            }
            Writer[] writers = new Writer[workload.threads()];
            for (int t = 0; t < writers.length; t++) {
                List<Connection> mine = new ArrayList<>();
                for (int i = t; i < dbs.size(); i += writers.length) mine.add(apps.get(i));
                if (mine.isEmpty()) { // more threads than databases: a connection of its own on the first
                    Connection c = BenchDb.open(dbs.get(0));
                    apps.add(c);
                    mine.add(c);
                }
                for (Connection c : mine) {
                    try (Statement s = c.createStatement()) {
                        if (workload.full()) s.execute("PRAGMA synchronous = FULL");
                        // Keel checkpoints for the application; without this, every commit past 1000 WAL pages
                        // tries a checkpoint of its own.
                        if (mode == Mode.KEEL_NO_APP_CHECKPOINTS) s.execute("PRAGMA wal_autocheckpoint = 0");
                    }
                }
                writers[t] = new Writer(mine, workload.rowsPerTx(), seconds);
            }
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            var threads = ManagementFactory.getThreadMXBean();
            long processCpuStart = os.getProcessCpuTime();
            long litestreamCpuStart = cpuTicks(litestream);
            lag.startCounting();
            long start = System.nanoTime();
            for (Writer w : writers) w.start();
            long count = 0;
            double writerCpu = 0;
            for (Writer w : writers) {
                w.join();
                if (w.failure != null) throw w.failure;
                count += w.count;
                writerCpu += w.cpuNanos / 1e9;
            }
            double wall = (System.nanoTime() - start) / 1e9;
            double keelCpu = 0;
            for (long id : threads.getAllThreadIds()) {
                var info = threads.getThreadInfo(id);
                if (info != null && info.getThreadName().startsWith("keel-")) keelCpu += threads.getThreadCpuTime(id) / 1e9;
            }
            double processCpu = (os.getProcessCpuTime() - processCpuStart) / 1e9;
            double litestreamCpu = (cpuTicks(litestream) - litestreamCpuStart) / 100.0; // USER_HZ
            lastCpuPerTx = writerCpu * 1e6 / count;
            if (replicator != null) {
                replicator.sync(); // the last segments, so each run's tail counts too
                LAGS.computeIfAbsent(mode, m -> new ArrayList<>()).addAll(lag.lagsMs());
                long high = 0;
                for (Path db : dbs) high = Math.max(high, walFrames(db));
                WAL_HIGH.computeIfAbsent(mode, m -> new ArrayList<>()).add(high);
                List<Long> frames = lag.checkpointFrames();
                CHECKPOINT_RATE.computeIfAbsent(mode, m -> new ArrayList<>()).add(frames.size() / wall / dbs.size());
                CHECKPOINT_FRAMES.computeIfAbsent(mode, m -> new ArrayList<>()).addAll(frames);
            }
            System.out.printf("  %-38s %6.0f tx/s; writers %.1f us CPU/tx, on CPU %3.0f%% of the time, first one waiting for a core %3.0f%%; "
                            + "Keel threads %.2f CPU s/s, process %.2f, Litestream %.2f%n",
                    mode.label, count / wall, lastCpuPerTx, 100 * writerCpu / wall / writers.length,
                    100 * writers[0].queuedNanos / 1e9 / wall, keelCpu / wall, processCpu / wall, litestreamCpu / wall);
            return count / wall;
        } finally {
            if (replicator != null) replicator.close();
            if (litestream != null) {
                litestream.destroy(); // SIGTERM: Litestream's own shutdown
                litestream.waitFor();
            }
            for (Connection c : apps) c.close();
        }
    }

    /** One writer thread: transactions on its databases in turn until the time is up. */
    private static final class Writer extends Thread {
        private final List<Connection> connections;
        private final int rowsPerTx;
        private final int seconds;
        long count;
        long cpuNanos;
        long queuedNanos;
        Exception failure;

        Writer(List<Connection> connections, int rowsPerTx, int seconds) {
            super("writer");
            this.connections = connections;
            this.rowsPerTx = rowsPerTx;
            this.seconds = seconds;
        }

        @Override
        public void run() {
            var threads = ManagementFactory.getThreadMXBean();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long queuedStart = runQueueNanos();
            List<PreparedStatement> inserts = new ArrayList<>();
            try {
                for (Connection c : connections) inserts.add(c.prepareStatement("INSERT INTO events (at, payload) VALUES (?, ?)"));
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                int turn = 0;
                while (System.nanoTime() < end) {
                    int k = turn++ % connections.size();
                    Connection c = connections.get(k);
                    PreparedStatement ps = inserts.get(k);
                    if (rowsPerTx > 1) c.setAutoCommit(false);
                    for (int row = 0; row < rowsPerTx; row++) {
                        ps.setLong(1, System.currentTimeMillis());
                        ps.setString(2, "event payload " + count + "/" + row);
                        ps.executeUpdate();
                    }
                    if (rowsPerTx > 1) {
                        c.commit();
                        c.setAutoCommit(true);
                    }
                    count++;
                }
                for (PreparedStatement ps : inserts) ps.close();
            } catch (Exception e) {
                failure = e;
            }
            cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
            queuedNanos = runQueueNanos() - queuedStart;
        }
    }

    /** Time the calling thread spent runnable but waiting for a core (Linux schedstat; 0 elsewhere). */
    private static long runQueueNanos() {
        try {
            String[] f = Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split("\\s+");
            return Long.parseLong(f[1]);
        } catch (Exception e) {
            return 0;
        }
    }

    /** A process's CPU time so far in clock ticks (Linux /proc; 0 for none or elsewhere). */
    private static long cpuTicks(Process p) {
        if (p == null) return 0;
        try {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        } catch (Exception e) {
            return 0;
        }
    }

    /** Frames the WAL file has room for: its size is the most SQLite ever wrote into it (the file is reused, not shrunk). */
    private static long walFrames(Path db) throws java.io.IOException {
        Path wal = db.resolveSibling(db.getFileName() + "-wal");
        if (!Files.exists(wal)) return 0;
        return Math.max(0, (Files.size(wal) - WAL_HEADER_BYTES) / (PAGE_SIZE + FRAME_HEADER_BYTES));
    }

    private static final int WAL_HEADER_BYTES = 32;
    private static final int FRAME_HEADER_BYTES = 24;
    private static final int PAGE_SIZE = 4096; // SQLite's default, which BenchDb keeps

    /**
     * Each segment's lag: from the end of the copy that ended where the segment begins (its first frame
     * was committed after that copy's scan) to the moment a replica wrote the segment. It can miss up to
     * that copy's own duration (a millisecond or two, tens of milliseconds at the worst under a busy writer).
     * Counted from the writers' start: the first generation's segments before it are not the workload's.
     */
    private static final class SegmentLag implements ReplicationListener {
        private final Map<Path, ConcurrentSkipListMap<Position, Long>> copied = new ConcurrentHashMap<>();
        private final List<Double> lags = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<Long> checkpointFrames = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void checkpointed(Path db, String mode, long walFrames, long checkpointed, boolean busy) {
            checkpointFrames.add(walFrames);
        }

        @Override
        public void walCopied(Path db, Position end, long bytes) {
            copied.computeIfAbsent(db, d -> new ConcurrentSkipListMap<>()).put(end, System.nanoTime());
        }

        @Override
        public void segmentWritten(Path db, String replica, Position start, Position end, long compressedBytes) {
            long now = System.nanoTime();
            var ends = copied.get(db);
            var before = ends == null ? null : ends.floorEntry(start);
            if (before != null && before.getKey().generation().equals(start.generation())) lags.add((now - before.getValue()) / 1e6);
        }

        void startCounting() {
            lags.clear();
            checkpointFrames.clear();
        }

        List<Long> checkpointFrames() {
            synchronized (checkpointFrames) {
                return new ArrayList<>(checkpointFrames);
            }
        }

        List<Double> lagsMs() {
            synchronized (lags) {
                return new ArrayList<>(lags);
            }
        }
    }

    private static Path replicaOf(Path db) {
        return db.resolveSibling(db.getFileName() + "-replica");
    }

    private static Path litestream() {
        return Path.of(System.getProperty("keel.tools.dir", ".tools"), "node_modules", "@flydotio", "litestream-linux-x64", "litestream");
    }

    /** Starts Litestream on the databases (a config listing them) and waits for every first snapshot, as Keel's first sync does. */
    private static Process startLitestream(Path dir, List<Path> dbs) throws Exception {
        StringBuilder yml = new StringBuilder("dbs:\n");
        for (Path db : dbs) {
            yml.append("  - path: ").append(db).append("\n    replicas:\n      - url: file://").append(replicaOf(db)).append('\n');
        }
        Path config = dir.resolve("litestream.yml");
        Files.writeString(config, yml);
        Process p = new ProcessBuilder(litestream().toString(), "replicate", "-config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            int snapshots = 0;
            for (Path db : dbs) {
                Path generations = replicaOf(db).resolve("generations");
                if (!Files.isDirectory(generations)) continue;
                try (var walk = Files.walk(generations)) {
                    if (walk.anyMatch(f -> f.toString().endsWith(".snapshot.lz4"))) snapshots++;
                }
            }
            if (snapshots == dbs.size()) return p;
            if (!p.isAlive()) throw new IllegalStateException("litestream exited with " + p.exitValue());
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("litestream wrote no snapshot of every database within 60 s");
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
