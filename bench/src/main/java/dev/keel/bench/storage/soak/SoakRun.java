package dev.keel.bench.storage.soak;

import dev.keel.bench.storage.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The cycles of one backend against one server process: cycle {@code i} runs the plan of seed
 * {@code seed + i} on a fresh database and replica path. A failed cycle keeps its directory (database,
 * keel.yml, keel.log, restore output) and the server's data and log; a run that passed deletes them.
 */
public final class SoakRun {
    private final String backend;
    private final int cycles;
    private final long seed;
    private final long deadlineNanos;

    /** Runs at most {@code cycles}, starting none after {@code deadlineNanos} ({@link System#nanoTime()}). */
    public SoakRun(String backend, int cycles, long seed, long deadlineNanos) {
        this.backend = backend;
        this.cycles = cycles;
        this.seed = seed;
        this.deadlineNanos = deadlineNanos;
    }

    /** Runs every cycle and prints the outcome; returns the number of failed cycles. */
    public int run() throws Exception {
        Path work = Files.createTempDirectory("keel-outage-soak-" + backend + "-");
        List<Duration> catchUps = new ArrayList<>();
        int failed = 0;
        int ran = 0;
        System.out.printf("%s: %d cycles, seeds %d..%d, work dir %s%n", backend, cycles, seed, seed + cycles - 1, work);
        try (StorageServer server = StorageServer.create(backend, work)) {
            server.start();
            warmUpLauncher();
            for (int i = 0; i < cycles && (deadlineNanos == Long.MAX_VALUE || System.nanoTime() - deadlineNanos < 0); i++) {
                ran++;
                CyclePlan plan = CyclePlan.random(seed + i);
                Path dir = Files.createDirectories(work.resolve("cycle-" + i));
                long started = System.nanoTime();
                server.start(); // a cycle that failed early may have left it down
                SoakCycle.Result r = new SoakCycle(server, plan, dir, "cycle-" + i).run();
                String took = String.format("%.1f s", (System.nanoTime() - started) / 1e9);
                if (r.passed()) {
                    if (r.catchUp() != null) catchUps.add(r.catchUp());
                    System.out.printf("%s cycle %d ok (%s, %s%s)%n", backend, i, plan.ending(), took,
                            r.catchUp() == null ? "" : ", current " + r.catchUp().toMillis() + " ms after the server's return");
                    Processes.deleteTree(dir);
                } else {
                    failed++;
                    System.out.printf("%s cycle %d FAILED (%s)%n  plan: %s%n  reproduce: bench/run storage.OutageSoak --backend %s --cycles 1 --seed %d%n  kept: %s%n",
                            backend, i, took, plan, backend, plan.seed(), dir);
                    for (String f : r.failures()) System.out.println("  - " + f);
                }
            }
        }
        System.out.printf("%s: %d cycles run (of %d), %d failed; server back -> replica current (%d SIGTERM cycles): %s%n",
                backend, ran, cycles, failed, catchUps.size(), percentiles(catchUps));
        if (failed == 0) Processes.deleteTree(work);
        else System.out.println(backend + ": kept " + work + " (server data and logs)");
        return failed;
    }

    /** The launcher builds its start-up archive on the first run of a jar: not part of any cycle. */
    private static void warmUpLauncher() throws Exception {
        Process p = new ProcessBuilder(Processes.with(Processes.keelCommand(), "version")).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
    }

    private static String percentiles(List<Duration> times) {
        if (times.isEmpty()) return "no measurement";
        List<Long> ms = times.stream().map(Duration::toMillis).sorted().toList();
        return "p50 " + ms.get(percentileIndex(ms.size(), 50)) + " ms, p99 " + ms.get(percentileIndex(ms.size(), 99))
                + " ms, max " + ms.get(ms.size() - 1) + " ms";
    }

    /** Nearest-rank percentile. */
    private static int percentileIndex(int n, int p) {
        return Math.max(0, (int) Math.ceil(p / 100.0 * n) - 1);
    }
}
