package dev.keel.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Wall time of {@code ./keel version} (the launcher with its class-data-sharing archive) against a
 * bare {@code java -version} measured in the same run, median of N runs each.
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
        double plainJar = median(List.of(java, "-jar", root.resolve("cli/target/keel.jar").toString(), "version"), runs);
        double launcher = median(List.of(keel, "version"), runs);

        System.out.printf("java -version (baseline)      median %6.3f s%n", baseline);
        System.out.printf("java -jar keel.jar version    median %6.3f s   ratio to baseline %.2f%n", plainJar, plainJar / baseline);
        System.out.printf("./keel version (launcher+CDS) median %6.3f s   ratio to baseline %.2f   target <= 0.300 s: %s%n",
                launcher, launcher / baseline, launcher <= 0.3 ? "met" : "MISSED");
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
