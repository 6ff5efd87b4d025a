package dev.keel.bench.storage.soak;

import dev.keel.bench.storage.Processes;
import dev.keel.bench.storage.soak.CyclePlan.Ending;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One cycle of the outage soak: a database written as the reported scenario does (with the plan's
 * timings), replicated by a real {@code keel replicate} process to a storage server that is killed
 * with SIGKILL and started again; then {@code keel restore} must bring back every committed row.
 */
final class SoakCycle {
    /** What a cycle found: failures (empty when it passed) and the catch-up time when it was measured. */
    record Result(CyclePlan plan, Path dir, List<String> failures, Duration catchUp) {
        boolean passed() {
            return failures.isEmpty();
        }
    }

    private final StorageServer server;
    private final CyclePlan plan;
    private final Path dir;
    private final String replicaPath;
    private final List<String> failures = new ArrayList<>();

    SoakCycle(StorageServer server, CyclePlan plan, Path dir, String replicaPath) {
        this.server = server;
        this.plan = plan;
        this.dir = dir;
        this.replicaPath = replicaPath;
    }

    Result run() throws Exception {
        Path db = dir.resolve("app.db");
        Path config = dir.resolve("keel.yml");
        Files.writeString(config, "dbs:\n  - path: " + db + "\n    replicas:\n" + server.replicaYaml(replicaPath));
        KeelDaemon keel = new KeelDaemon(config, dir.resolve("keel.log"));
        CompletableFuture<Duration> catchUp = null;
        try (Writer writer = new Writer(db)) {
            if (plan.fromLaunch()) keel.launch();
            else keel.start();
            Thread.sleep(plan.startDelayMs());
            for (int tx = 0; tx <= 10; tx++) {
                if (tx == plan.killAfterTx()) {
                    Thread.sleep(plan.killJitterMs());
                    keel.mark("storage server killed (SIGKILL)");
                    server.kill();
                }
                if (tx < 10) {
                    writer.transaction();
                    Thread.sleep(50);
                }
            }
            writer.transactions(10, plan.outageGapMs());
            if (plan.fromLaunch()) {
                Integer early = keel.exited();
                if (early != null) failures.add("keel replicate exited " + early + " by itself while the server was down: " + lastLines(keel.sinceStart()));
            }
            boolean running = true;
            if (plan.ending() == Ending.SIGTERM_DURING_OUTAGE) {
                Thread.sleep(plan.endingAtMs());
                boolean started = keel.sinceStart().contains("replicating to");
                int status = keel.terminate();
                running = false;
                // Before Keel is up (JVM start, config) SIGTERM ends it like any JVM: 143, nothing to sync yet.
                if (started || status != 143) expectOutageExit(status, keel.sinceStart());
                Thread.sleep(plan.extraDownMs() - plan.endingAtMs());
            } else {
                Thread.sleep(plan.extraDownMs());
            }
            server.start();
            keel.mark("storage server back; " + writer.committedRows() + " rows committed so far");
            if (running) catchUp = CatchUp.measure(server.storage(replicaPath), writer.committedRows(), dir);
            if (plan.ending() == Ending.SIGTERM_DURING_OUTAGE) {
                keel.start();
                Thread.sleep(plan.afterReturnMs());
            } else if (plan.ending() == Ending.SIGKILL_AND_RESTART) {
                Thread.sleep(plan.endingAtMs());
                keel.kill();
                keel.start();
                Thread.sleep(plan.afterReturnMs() - plan.endingAtMs());
            } else {
                Thread.sleep(plan.afterReturnMs());
            }
            writer.transactions(10, 50);
            Thread.sleep(plan.beforeStopMs());
            long committed = writer.committedRows();
            int status = keel.terminate();
            if (status != 0) failures.add("keel replicate exited " + status + " after the final SIGTERM (expected 0)");
            else if (!keel.sinceStart().contains("final sync succeeded")) failures.add("the log does not say the final sync succeeded");
            checkStory(Files.readString(dir.resolve("keel.log")));
            Duration measured = catchUp == null ? null : catchUp.get(100, TimeUnit.SECONDS);
            if (catchUp != null && measured == null) failures.add("the replica never held the rows committed before the server's return");
            verifyRestore(config, committed);
            return new Result(plan, dir, List.copyOf(failures), plan.ending() == Ending.SIGTERM ? measured : null);
        } catch (Exception e) {
            failures.add("cycle failed: " + e);
            return new Result(plan, dir, List.copyOf(failures), null);
        }
    }

    /**
     * Each run of Keel whose log shows failed uploads must also show how they ended: caught up, a final
     * sync that says what it could not upload, or a SIGKILL (which logs nothing).
     */
    private void checkStory(String log) {
        for (String run : log.split("---- soak [^\n]* starting keel replicate\n")) {
            int failed = run.lastIndexOf("failed, will retry");
            if (failed < 0) continue;
            String after = run.substring(failed);
            if (!after.contains("caught up") && !after.contains("final sync failed: not uploaded") && !after.contains(" SIGKILL\n")) {
                failures.add("a run's log shows failed uploads but not how they ended (no 'caught up' or final sync report after them)");
            }
        }
    }

    private static String lastLines(String log) {
        String[] lines = log.strip().split("\n");
        return String.join(" | ", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 3), lines.length));
    }

    /** The final sync during the outage could not upload what was written meanwhile: 69, saying what is missing. */
    private void expectOutageExit(int status, String log) {
        if (status != 69) failures.add("SIGTERM during the outage: keel replicate exited " + status + " (expected 69)");
        if (!log.contains("not uploaded")) failures.add("SIGTERM during the outage: the log does not say what was not uploaded");
    }

    private void verifyRestore(Path config, long committed) throws Exception {
        Path out = dir.resolve("restored.db");
        Process p = new ProcessBuilder(Processes.with(Processes.keelCommand(), "restore", "-config", config.toString(), "-o",
                out.toString(), dir.resolve("app.db").toString())).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        int status = p.waitFor();
        Files.writeString(dir.resolve("restore.log"), output);
        if (status != 0) {
            failures.add("keel restore exited " + status + ": " + output.strip());
            return;
        }
        long rows = Writer.contiguousRows(out);
        if (rows != committed) {
            failures.add("restored " + (rows < 0 ? "a gap in the rows" : rows + " rows") + ", committed " + committed);
        }
    }
}
