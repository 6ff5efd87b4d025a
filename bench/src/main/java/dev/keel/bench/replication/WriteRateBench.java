package dev.keel.bench.replication;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.List;

/**
 * Application write rate with Keel replicating (in-process, default settings, directory replica)
 * against the same writes without replication, measured in one run: single-row transactions with
 * {@code synchronous=NORMAL}, as fast as one thread can commit; Keel both with the application's
 * default {@code wal_autocheckpoint} and with it off (Keel then checkpoints for the application).
 * Rounds rotate the order so drift in the machine's load affects every mode; figures are medians.
 * Besides wall-clock rates it prints the writer thread's CPU per transaction, which a busy machine
 * does not distort. Litestream 0.3.13 replicating the same writes (when installed in .tools) shows
 * what the long-read-transaction design costs any replicator. Target: ratio >= 0.95.
 *
 * <pre>bench/run replication.WriteRateBench [SECONDS_PER_ROUND=3] [ROUNDS=6]</pre>
 */
public final class WriteRateBench {
    private WriteRateBench() {
    }

    /** Writer thread CPU per transaction of the last run, in microseconds. */
    private static double lastCpuPerTx;

    /** What runs beside the writer. */
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

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        Path work = Files.createTempDirectory("keel-write-rate-");
        Mode[] modes = Files.isExecutable(litestream()) ? Mode.values()
                : Arrays.copyOf(Mode.values(), Mode.LITESTREAM.ordinal());
        double[][] rate = new double[modes.length][rounds];
        double[][] cpu = new double[modes.length][rounds];
        try {
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < modes.length; k++) {
                    Mode m = modes[(k + r) % modes.length]; // rotate the order so drift affects every mode
                    rate[m.ordinal()][r] = run(work.resolve(m + "-" + r), seconds, m);
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
            System.out.printf("single-row transactions, synchronous=NORMAL, %d rounds of %d s; target ratio >= 0.95; load average %.2f on %d cores%n",
                    rounds, seconds, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            BenchDb.deleteTree(work);
        }
    }

    private static double run(Path dir, int seconds, Mode mode) throws Exception {
        Files.createDirectories(dir);
        Path db = dir.resolve("app.db");
        try (Connection app = BenchDb.open(db)) {
            Replicator replicator = null;
            Process litestream = mode == Mode.LITESTREAM ? startLitestream(db, dir.resolve("replica")) : null;
            if (mode == Mode.KEEL || mode == Mode.KEEL_NO_APP_CHECKPOINTS) {
                DatabaseConfig config = DatabaseConfig.of(db, List.of(ReplicaConfig.of(new ReplicaStorage.File(dir.resolve("replica")))));
                replicator = Replicator.configure().databases(List.of(config)).start();
                replicator.sync(); // first generation and snapshot before the clock starts
            }
            if (mode == Mode.KEEL_NO_APP_CHECKPOINTS) {
                // Keel checkpoints for the application; without this, every commit past 1000 WAL pages
                // tries a checkpoint that Keel's read transaction holds back.
                try (var s = app.createStatement()) {
                    s.execute("PRAGMA wal_autocheckpoint = 0");
                }
            }
            long count = 0;
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long writerCpuStart = threads.getCurrentThreadCpuTime();
            try (PreparedStatement ps = app.prepareStatement("INSERT INTO events (at, payload) VALUES (?, ?)")) {
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                long start = System.nanoTime();
                while (System.nanoTime() < end) {
                    ps.setLong(1, System.currentTimeMillis());
                    ps.setString(2, "event payload " + count);
                    ps.executeUpdate();
                    count++;
                }
                double wall = (System.nanoTime() - start) / 1e9;
                double writerCpu = (threads.getCurrentThreadCpuTime() - writerCpuStart) / 1e9;
                double keelCpu = 0;
                for (long id : threads.getAllThreadIds()) {
                    var info = threads.getThreadInfo(id);
                    if (info != null && info.getThreadName().startsWith("keel-")) keelCpu += threads.getThreadCpuTime(id) / 1e9;
                }
                lastCpuPerTx = writerCpu * 1e6 / count;
                System.out.printf("  %-38s %6.0f tx/s; writer %.1f us CPU/tx, on CPU %3.0f%% of the time; Keel threads %.2f CPU s/s%n",
                        mode.label, count / wall, lastCpuPerTx, 100 * writerCpu / wall, keelCpu / wall);
                if (replicator != null) replicator.close();
                if (litestream != null) {
                    litestream.destroy(); // SIGTERM: Litestream's own shutdown
                    litestream.waitFor();
                }
                return count / wall;
            }
        }
    }

    private static Path litestream() {
        return Path.of(System.getProperty("keel.tools.dir", ".tools"), "node_modules", "@flydotio", "litestream-linux-x64", "litestream");
    }

    /** Starts Litestream on the database and waits for its first snapshot, as Keel's first sync does. */
    private static Process startLitestream(Path db, Path replica) throws Exception {
        Process p = new ProcessBuilder(litestream().toString(), "replicate", db.toString(), "file://" + replica)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            Path generations = replica.resolve("generations");
            if (Files.isDirectory(generations)) {
                try (var walk = Files.walk(generations)) {
                    if (walk.anyMatch(f -> f.toString().endsWith(".snapshot.lz4"))) return p;
                }
            }
            if (!p.isAlive()) throw new IllegalStateException("litestream exited with " + p.exitValue());
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("litestream wrote no snapshot within 20 s");
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
