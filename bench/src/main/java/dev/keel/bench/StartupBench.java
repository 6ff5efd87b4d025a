package dev.keel.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Wall time of {@code ./keel version} (the launcher with its class-data-sharing archive) against a
 * bare {@code java -version} measured in the same run, median of N runs each; and the time from
 * starting {@code ./keel replicate DB DIR} to its first log line (logging set up, database opened),
 * which is where the logging backend's start-up shows. {@code KEEL_JAR=PATH} measures that jar.
 * Target: keel version median <= 0.3 s.
 */
public final class StartupBench {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Path root = Path.of(System.getProperty("keel.root", "."));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String keel = root.resolve("keel").toString();

        run(List.of(keel, "version"), 2); // warm the page cache and make the CDS archive
        double baseline = median(List.of(java, "-version"), runs);
        String jar = System.getenv().getOrDefault("KEEL_JAR", root.resolve("cli/target/keel.jar").toString());
        double plainJar = median(List.of(java, "-jar", jar, "version"), runs);
        double launcher = median(List.of(keel, "version"), runs);

        System.out.printf("java -version (baseline)      median %6.3f s%n", baseline);
        System.out.printf("java -jar keel.jar version    median %6.3f s   ratio to baseline %.2f%n", plainJar, plainJar / baseline);
        System.out.printf("./keel version (launcher+CDS) median %6.3f s   ratio to baseline %.2f   target <= 0.300 s: %s%n",
                launcher, launcher / baseline, launcher <= 0.3 ? "met" : "MISSED");
        double firstLine = firstLogLine(keel, runs);
        System.out.printf("./keel replicate, first log line median %6.3f s   ratio to baseline %.2f%n", firstLine, firstLine / baseline);
        System.out.printf("jar: %s; load average: %s%n", System.getenv().getOrDefault("KEEL_JAR", "cli/target/keel.jar"),
                Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /** Median time from starting {@code keel replicate DB REPLICA_DIR} to its first log line (then it is stopped). */
    private static double firstLogLine(String keel, int runs) throws Exception {
        Path dir = Files.createTempDirectory("keel-startup");
        Path db = dir.resolve("app.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db); var s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (x)");
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs + 1; i++) {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(keel, "replicate", db.toString(), dir.resolve("replica").toString())
                    .redirectErrorStream(true).start();
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                if (in.readLine() == null) throw new IllegalStateException("keel replicate printed nothing");
                double took = (System.nanoTime() - start) / 1e9;
                if (i > 0) times.add(took); // the first run warms the page cache
            }
            p.destroy(); // SIGTERM: a final sync, then exit
            p.waitFor();
        }
        Collections.sort(times);
        return times.get(times.size() / 2);
    }

    private static double median(List<String> command, int runs) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) times.add(run(command, 1));
        Collections.sort(times);
        return times.get(times.size() / 2);
    }

    private static double run(List<String> command, int times) throws Exception {
        double last = 0;
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int status = p.waitFor();
            last = (System.nanoTime() - start) / 1e9;
            if (status != 0) throw new IllegalStateException(command + " exited " + status);
        }
        return last;
    }
}
