package dev.keel.bench.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Restore benchmarks, each beside baselines measured in the same run:
 * <ol>
 * <li>100k rows written as ~300 WAL segments to a directory replica: wall time of the whole
 * {@code ./keel restore} command (process start included) against {@code litestream restore} of the
 * same replica. Target: keel <= 0.5 s.</li>
 * <li>A ~1 GB database: keel restore throughput in MB/s against {@code cp} + {@code sync} of the same
 * file and {@code litestream restore}. Target: >= 300 MB/s.</li>
 * </ol>
 * Arguments: {@code [work dir] [size in MB of the large db, default 1024] [runs, default 5]}.
 */
public final class RestoreBench {
    public static void main(String[] args) throws Exception {
        Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("keel-restore-bench");
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path root = Path.of(System.getProperty("keel.root", ".")).toAbsolutePath();
        List<String> keel = keelCommand(root);
        String litestream = Path.of(System.getProperty("keel.tools.dir", root.resolve(".tools").toString()),
                "node_modules/@flydotio/litestream-linux-x64/litestream").toString();
        boolean haveLitestream = Files.isExecutable(Path.of(litestream));
        try {
            small(work.resolve("small"), keel, litestream, haveLitestream, runs);
            large(work.resolve("large"), megabytes, keel, litestream, haveLitestream, Math.max(1, runs / 2));
        } finally {
            if (args.length == 0) deleteTree(work);
        }
    }

    private static void small(Path dir, List<String> keel, String litestream, boolean haveLitestream, int runs) throws Exception {
        Files.createDirectories(dir);
        Path replica = dir.resolve("replica");
        try (BenchReplica r = new BenchReplica(dir.resolve("source.db"), replica)) {
            r.transaction("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, amount INTEGER, note TEXT)");
            r.restart(true);
            int rows = 0;
            for (int tx = 0; tx < 300; tx++) {
                int n = tx < 200 ? 333 : 334;
                r.transaction("WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM k WHERE x<" + n + ") "
                        + "INSERT INTO t(name, amount, note) SELECT 'customer-' || (abs(random()) % 100000), "
                        + "abs(random()) % 100000, hex(randomblob(40)) FROM k");
                rows += n;
                if (tx == 99 || tx == 199) r.restart(false);
            }
            System.out.printf("small: %d rows in %d WAL segments, replica %.1f MB%n", rows, r.segments, treeSize(replica) / 1e6);
        }
        String url = "file://" + replica;
        Path out = dir.resolve("out.db");
        run(with(keel, "restore", "-o", out.toString(), url), out); // warm-up: page cache, CDS archive
        double keelTime = median(with(keel, "restore", "-o", out.toString(), url), out, runs);
        System.out.printf("keel restore (whole command)        median %6.3f s   target <= 0.500 s: %s%n",
                keelTime, keelTime <= 0.5 ? "met" : "MISSED");
        if (haveLitestream) {
            double lsTime = median(List.of(litestream, "restore", "-o", out.toString(), url), out, runs);
            System.out.printf("litestream restore (baseline)       median %6.3f s   keel/litestream ratio %.2f%n",
                    lsTime, keelTime / lsTime);
        }
    }

    private static void large(Path dir, int megabytes, List<String> keel, String litestream, boolean haveLitestream, int runs)
            throws Exception {
        Files.createDirectories(dir);
        Path replica = dir.resolve("replica");
        Path source = dir.resolve("source.db");
        try (BenchReplica r = new BenchReplica(source, replica)) {
            r.transaction("CREATE TABLE blobs(id INTEGER PRIMARY KEY, body TEXT)");
            int rows = megabytes * 1024 / 4; // ~4 KiB of text per row
            for (int done = 0; done < rows; done += 20_000) {
                r.restart(false); // keep each WAL small; only the final snapshot matters
                r.transaction("WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM k WHERE x<" + Math.min(20_000, rows - done)
                        + ") INSERT INTO blobs(body) SELECT hex(randomblob(1000)) || hex(zeroblob(1000)) FROM k");
            }
            r.restart(true);
            for (int i = 0; i < 20; i++) r.transaction("UPDATE blobs SET body = hex(randomblob(2000)) WHERE id % 997 = " + i);
        }
        Files.walk(replica).filter(p -> p.toString().contains("/wal/")).filter(Files::isRegularFile)
                .filter(p -> !p.getFileName().toString().startsWith(largestIndex(replica))).forEach(RestoreBench::deleteQuietly);
        long dbBytes = Files.size(source);
        System.out.printf("large: %.0f MB database, replica %.0f MB%n", dbBytes / 1e6, treeSize(replica) / 1e6);
        String url = "file://" + replica;
        Path out = dir.resolve("out.db");
        run(with(keel, "restore", "-o", out.toString(), url), out);
        double keelTime = median(with(keel, "restore", "-o", out.toString(), url), out, runs);
        double keelRate = Files.size(source) / 1e6 / keelTime;
        double cpTime = median(List.of("sh", "-c", "cp \"$0\" \"$1\" && sync \"$1\"", source.toString(), out.toString()), out, runs);
        System.out.printf("keel restore                        median %6.2f s  %7.0f MB/s   target >= 300 MB/s: %s%n",
                keelTime, keelRate, keelRate >= 300 ? "met" : "MISSED");
        System.out.printf("cp + sync of the same db (baseline) median %6.2f s  %7.0f MB/s   keel/cp time ratio %.2f%n",
                cpTime, dbBytes / 1e6 / cpTime, keelTime / cpTime);
        if (haveLitestream) {
            double lsTime = median(List.of(litestream, "restore", "-o", out.toString(), url), out, runs);
            System.out.printf("litestream restore (baseline)       median %6.2f s  %7.0f MB/s   keel/litestream time ratio %.2f%n",
                    lsTime, dbBytes / 1e6 / lsTime, keelTime / lsTime);
        }
    }

    /**
     * {@code ./keel}, or with {@code -Dkeel.jar=PATH} the launcher running that jar ({@code KEEL_JAR}),
     * with its start-up aids beside it, so that a rebuild of the working tree cannot slip into a run.
     */
    private static List<String> keelCommand(Path root) {
        String launcher = root.resolve("keel").toString();
        String jar = System.getProperty("keel.jar");
        if (jar == null) return List.of(launcher);
        return List.of("env", "KEEL_JAR=" + Path.of(jar).toAbsolutePath(), launcher);
    }

    private static List<String> with(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        return all;
    }

    private static String largestIndex(Path replica) {
        try (Stream<Path> files = Files.walk(replica)) {
            return files.filter(p -> p.toString().contains("/snapshots/")).map(p -> p.getFileName().toString().substring(0, 8))
                    .max(Comparator.naturalOrder()).orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double median(List<String> command, Path out, int runs) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) times.add(run(command, out));
        Collections.sort(times);
        return times.get(times.size() / 2);
    }

    /** Runs the command once with {@code out} removed first; returns seconds. */
    private static double run(List<String> command, Path out) throws Exception {
        Files.deleteIfExists(out);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int status = p.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (status != 0) throw new IllegalStateException(command + " exited " + status);
        return seconds;
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover file in a temp dir
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(RestoreBench::deleteQuietly);
        }
    }
}
