package dev.keel.bench.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Runs and times whole commands ({@code keel}, {@code litestream}) for the storage benchmarks. */
public final class Processes {
    private Processes() {
    }

    /** {@code ./keel} at {@code -Dkeel.root}, or {@code java -jar} the jar given with {@code -Dkeel.jar}. */
    public static List<String> keelCommand() {
        String jar = System.getProperty("keel.jar");
        if (jar != null) return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar);
        return List.of(Path.of(System.getProperty("keel.root", ".")).toAbsolutePath().resolve("keel").toString());
    }

    /** Litestream 0.3.13 from {@code -Dkeel.tools.dir}, or null when it is not installed. */
    public static Path litestream() {
        Path bin = Path.of(System.getProperty("keel.tools.dir", ".tools"), "node_modules/@flydotio/litestream-linux-x64/litestream");
        return Files.isExecutable(bin) ? bin : null;
    }

    public static List<String> with(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        return all;
    }

    /** Runs the command once with {@code out} (if any) removed first; returns seconds; fails on a non-zero exit. */
    public static double time(List<String> command, Map<String, String> env, Path out) throws Exception {
        if (out != null) Files.deleteIfExists(out);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        int status = p.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (status != 0) throw new IllegalStateException(command + " exited " + status + ":\n" + output);
        if (out != null && !Files.isRegularFile(out)) throw new IllegalStateException(command + " wrote no " + out);
        return seconds;
    }

    public static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
