package dev.keel.bench.fleet;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The engine's cost per database: N small idle databases (WAL mode, a few rows each), each with a
 * directory replica, followed by one {@code keel replicate} process. Prints the time until every
 * database has a replica (a snapshot), resident memory, threads, open descriptors, CPU while idle,
 * objects written while idle, and the p99 lag of single writes to 100 random databases (commit until
 * a new WAL segment is on the replica). With {@code --litestream} the same files are replicated by
 * Litestream 0.3.13 (a config listing every database) and the ratios are printed.
 *
 * <pre>bench/run fleet.FleetBench N [--litestream] [--idle SECONDS=60] [--keep]</pre>
 */
public final class FleetBench {
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux
    /** Above this many databases Keel is given a {@code dir:} entry instead of the list (see {@link #writeDirConfig}). */
    static final int LIST_LIMIT = 5000;

    private FleetBench() {
    }

    record Figures(String who, double readySeconds, long rssKb, int threads, int fds, Census census, double idleCpu,
                   int idleWrites, double lagP50, double lagP99, String load) {
        void print(int n) {
            System.out.printf("%-10s N=%d: ready %.1f s, RSS %d MB (%.0f KB/db), threads %d, descriptors %d (%.1f/db), "
                            + "held open %d, parked %d, %.1f descriptors per held database, "
                            + "idle CPU %.1f %% of a core, objects written while idle %d, single-write lag p50 %.0f ms p99 %.0f ms"
                            + " (load average after: %s)%n",
                    who, n, readySeconds, rssKb / 1024, (double) rssKb / n, threads, fds, (double) fds / n,
                    census.held(), n - census.held(), census.perHeld(), idleCpu * 100, idleWrites, lagP50, lagP99, load);
        }
    }

    /**
     * What the descriptors of the process point at: a held database has SQLite's {@code -shm} open (one
     * per database), so their count is the databases held; {@code perHeld} counts every descriptor on a
     * database's own files (db, {@code -wal}, {@code -shm}) per held database.
     */
    record Census(int held, double perHeld) {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        List<String> flags = Arrays.asList(args);
        boolean litestream = flags.contains("--litestream");
        boolean keep = flags.contains("--keep");
        int idle = flags.contains("--idle") ? Integer.parseInt(args[flags.indexOf("--idle") + 1]) : 60;
        Path work = Files.createTempDirectory("keel-fleet-");
        System.out.printf("FleetBench: %d databases in %s, idle window %d s, load average %s%n", n, work, idle, loadAverage());
        try {
            List<Path> dbs = createDatabases(work.resolve("dbs"), n);
            Figures keel = run("keel", work, dbs, idle, FleetBench::keelCommand);
            keel.print(n);
            if (litestream) {
                for (Path db : dbs) deleteSideState(db); // Keel's shadow directories; the WAL stays
                Figures ls = run("litestream", work, dbs, idle, FleetBench::litestreamCommand);
                ls.print(n);
                System.out.printf("ratios keel/litestream: ready %.2f, RSS %.2f (target <= 0.25), descriptors %.2f, idle CPU %.2f, lag p99 %.2f%n",
                        keel.readySeconds / ls.readySeconds, (double) keel.rssKb / ls.rssKb, (double) keel.fds / ls.fds,
                        keel.idleCpu / Math.max(1e-9, ls.idleCpu), keel.lagP99 / ls.lagP99);
            }
        } finally {
            if (keep) System.out.println("kept " + work);
            else deleteTree(work);
        }
    }

    /** A replicator started on a config file; returns its command. */
    interface Launcher {
        List<String> command(Path config) throws IOException;
    }

    static Figures run(String who, Path work, List<Path> dbs, int idleSeconds, Launcher launcher) throws Exception {
        Path replicas = work.resolve("replicas-" + who);
        Path config = who.equals("keel") && dbs.size() > LIST_LIMIT
                ? writeDirConfig(work.resolve(who + ".yml"), dbs.get(0).getParent(), replicas)
                : writeConfig(work.resolve(who + ".yml"), dbs, replicas);
        Path log = work.resolve(who + ".log");
        // Once before timing: the launcher builds its start-up aids on a jar's first use.
        new ProcessBuilder(launcher.command(config).subList(0, 1)).redirectErrorStream(true)
                .redirectOutput(work.resolve(who + "-warmup.log").toFile()).start().waitFor();
        ProcessBuilder pb = new ProcessBuilder(launcher.command(config)).redirectErrorStream(true).redirectOutput(log.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            double ready = waitReady(p, replicas, dbs.size(), start, log);
            Thread.sleep(3000); // let start-up work (first uploads, compilation) settle before the idle window
            long cpu0 = cpuTicks(p.pid());
            long t0 = System.nanoTime();
            long objects0 = countObjects(replicas);
            Thread.sleep(idleSeconds * 1000L);
            long cpu1 = cpuTicks(p.pid());
            double idleCpu = (cpu1 - cpu0) / (double) CLOCK_TICKS / ((System.nanoTime() - t0) / 1e9);
            int idleWrites = (int) (countObjects(replicas) - objects0);
            long rss = statusField(p.pid(), "VmRSS:");
            int threads = (int) statusField(p.pid(), "Threads:");
            int fds = countFds(p.pid());
            Census census = census(p.pid(), dbs.get(0).getParent());
            double[] lags = lags(dbs, replicas, 100, new Random(42));
            return new Figures(who, ready, rss, threads, fds, census, idleCpu, idleWrites, percentile(lags, 50),
                    percentile(lags, 99), loadAverage());
        } finally {
            p.destroy(); // SIGTERM: a final sync, then exit
            if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /**
     * A {@code dir:} entry for the directory holding every database, with one directory replica as the
     * prefix: the same replicas as {@link #writeConfig}, in one entry. Keel reads config files of at most
     * 1 MiB, which a list of more than {@value #LIST_LIMIT} databases exceeds.
     */
    static Path writeDirConfig(Path file, Path dir, Path replicas) throws IOException {
        Files.writeString(file, "dbs:\n  - dir: " + dir + "\n    replicas:\n      - type: file\n        path: "
                + replicas + "\n");
        return file;
    }

    static List<String> keelCommand(Path config) {
        Path root = Path.of(System.getProperty("keel.root", ".")).toAbsolutePath();
        return List.of(root.resolve("keel").toString(), "replicate", "-config", config.toString());
    }

    static List<String> litestreamCommand(Path config) {
        Path bin = Path.of(System.getProperty("keel.tools.dir", ".tools"),
                "node_modules/@flydotio/litestream-linux-x64/litestream");
        if (!Files.isExecutable(bin)) throw new IllegalStateException("Litestream is not installed: " + bin);
        return List.of(bin.toString(), "replicate", "-config", config.toString());
    }

    /**
     * A Litestream 0.3 config listing every database with its directory replica. A {@code dir:} entry
     * ({@code - dir: <dbs>} with {@code replicas: [{path: <replicas>}]}) says the same for Keel in one
     * entry; the list is kept so that Litestream 0.3 reads the same file.
     */
    static Path writeConfig(Path file, List<Path> dbs, Path replicas) throws IOException {
        StringBuilder yaml = new StringBuilder("dbs:\n");
        for (Path db : dbs) {
            yaml.append("  - path: ").append(db).append('\n')
                    .append("    replicas:\n      - type: file\n        path: ")
                    .append(replicas.resolve(db.getFileName().toString())).append('\n');
        }
        Files.writeString(file, yaml);
        return file;
    }

    /**
     * N copies of one closed WAL-mode database of five rows (its header keeps WAL mode; no -wal beside it):
     * copying a file is much faster than N SQLite creations, which took most of a 10,000-database run.
     */
    static List<Path> createDatabases(Path dir, int n) throws SQLException, IOException {
        Files.createDirectories(dir);
        Path template = dir.resolveSibling("template.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + template); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER, payload TEXT)");
            for (int r = 0; r < 5; r++) s.execute("INSERT INTO events (at, payload) VALUES (" + r + ", 'row " + r + "')");
        }
        List<Path> dbs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path db = dir.resolve(String.format("tenant-%05d.db", i));
            Files.copy(template, db);
            dbs.add(db);
        }
        Files.delete(template);
        return dbs;
    }

    private static double waitReady(Process p, Path replicas, int n, long start, Path log) throws Exception {
        BitSet ready = new BitSet(n);
        List<Path> dirs = new ArrayList<>();
        while (ready.cardinality() < n) {
            if (!p.isAlive()) throw new IllegalStateException("replicator exited " + p.exitValue() + "; see " + log);
            if ((System.nanoTime() - start) > TimeUnit.MINUTES.toNanos(15)) throw new IllegalStateException("not ready after 15 min");
            if (dirs.isEmpty() && Files.isDirectory(replicas)) {
                try (Stream<Path> s = Files.list(replicas)) {
                    if (s.count() < n) {
                        Thread.sleep(100);
                        continue;
                    }
                }
                try (Stream<Path> s = Files.list(replicas)) {
                    dirs.addAll(s.sorted().toList());
                }
            }
            for (int i = ready.nextClearBit(0); i < dirs.size(); i = ready.nextClearBit(i + 1)) {
                if (hasSnapshot(dirs.get(i))) ready.set(i);
            }
            if (ready.cardinality() < n) Thread.sleep(100);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static boolean hasSnapshot(Path replica) throws IOException {
        Path generations = replica.resolve("generations");
        if (!Files.isDirectory(generations)) return false;
        try (DirectoryStream<Path> gens = Files.newDirectoryStream(generations)) {
            for (Path g : gens) {
                Path snaps = g.resolve("snapshots");
                if (!Files.isDirectory(snaps)) continue;
                try (DirectoryStream<Path> s = Files.newDirectoryStream(snaps, "*.snapshot.lz4")) {
                    if (s.iterator().hasNext()) return true;
                }
            }
        }
        return false;
    }

    /** Writes one row to each of {@code count} random databases, 50 ms apart; lag = commit until a new WAL segment is on its replica. */
    private static double[] lags(List<Path> dbs, Path replicas, int count, Random random) throws Exception {
        int n = Math.min(count, dbs.size());
        List<Integer> chosen = new ArrayList<>();
        while (chosen.size() < n) {
            int i = random.nextInt(dbs.size());
            if (!chosen.contains(i)) chosen.add(i);
        }
        long[] committed = new long[n];
        long[] before = new long[n];
        double[] lag = new double[n];
        Arrays.fill(lag, -1);
        int done = 0;
        int written = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (done < n && System.nanoTime() < deadline) {
            if (written < n) {
                Path db = dbs.get(chosen.get(written));
                before[written] = walSegments(replicas.resolve(db.getFileName().toString()));
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA busy_timeout = 5000");
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (at, payload) VALUES (?, 'lag')")) {
                        ps.setLong(1, System.currentTimeMillis());
                        ps.executeUpdate();
                    }
                }
                committed[written++] = System.nanoTime();
            }
            for (int k = 0; k < written; k++) {
                if (lag[k] >= 0) continue;
                Path replica = replicas.resolve(dbs.get(chosen.get(k)).getFileName().toString());
                if (walSegments(replica) > before[k]) {
                    lag[k] = (System.nanoTime() - committed[k]) / 1e6;
                    done++;
                }
            }
            Thread.sleep(written < n ? 50 : 20);
        }
        for (int k = 0; k < n; k++) if (lag[k] < 0) lag[k] = Double.POSITIVE_INFINITY; // never arrived: counts as a miss
        Arrays.sort(lag);
        return lag;
    }

    /** WAL segments on a directory replica; files that vanish while it is read (temp files renamed) are skipped. */
    private static long walSegments(Path replica) throws IOException {
        Path generations = replica.resolve("generations");
        long count = 0;
        try (DirectoryStream<Path> gens = Files.newDirectoryStream(generations)) {
            for (Path g : gens) {
                try (DirectoryStream<Path> wal = Files.newDirectoryStream(g.resolve("wal"), "*.wal.lz4")) {
                    for (Path ignored : wal) count++;
                } catch (java.nio.file.NoSuchFileException e) {
                    // a generation without WAL yet, or removed by retention
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
        return count;
    }

    /** Snapshots and segments under every replica; files that vanish while it walks are skipped. */
    private static long countObjects(Path replicas) throws IOException {
        long[] count = {0};
        Files.walkFileTree(replicas, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (file.getFileName().toString().endsWith(".lz4")) count[0]++;
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return count[0];
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    }

    private static long statusField(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field)) return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
        return -1;
    }

    private static int countFds(long pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) s.count();
        }
    }

    private static Census census(long pid, Path dbDir) throws IOException {
        int shm = 0;
        int onDatabases = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : s.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue;
                }
                if (!target.startsWith(dbDir + "/")) continue;
                String rel = target.substring(dbDir.toString().length() + 1);
                if (rel.startsWith(".") || rel.contains("/.")) continue; // Keel's state directories and lock files
                String name = rel.substring(rel.lastIndexOf('/') + 1);
                onDatabases++;
                if (name.endsWith("-shm")) shm++;
            }
        }
        return new Census(shm, shm == 0 ? 0 : (double) onDatabases / shm);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static void deleteSideState(Path db) throws IOException {
        Path meta = db.resolveSibling("." + db.getFileName() + "-keel");
        if (Files.exists(meta)) deleteTree(meta);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
