package dev.keel.bench.storage.soak;

import dev.keel.bench.storage.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel replicate -config keel.yml} as a user runs it (the repository's launcher), its output
 * appended to one log across restarts with a marker line per start and stop.
 */
final class KeelDaemon {
    private final Path config;
    private final Path log;
    private Process process;
    private long logOffset;

    KeelDaemon(Path config, Path log) {
        this.config = config;
        this.log = log;
    }

    /** Starts it and waits (at most 60 s) until it logged that it replicates. */
    void start() throws IOException, InterruptedException {
        launch();
        awaitReady();
    }

    /** Starts the process, as a script does, without waiting for it. */
    void launch() throws IOException {
        mark("starting keel replicate");
        logOffset = Files.size(log);
        process = new ProcessBuilder(Processes.with(Processes.keelCommand(), "replicate", "-config", config.toString(), "-v"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Waits (at most 60 s) until it logged that it replicates; fails when it exited first. */
    void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (sinceStart().contains("replicating to")) return;
            if (!process.isAlive()) throw new IllegalStateException("keel replicate exited " + process.exitValue() + " at start; see " + log);
            Thread.sleep(20);
        }
        throw new IllegalStateException("keel replicate did not start replicating within 60 s; see " + log);
    }

    /** What it logged since its last start. */
    String sinceStart() throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) Math.min(logOffset, all.length), all.length - (int) Math.min(logOffset, all.length));
    }

    /** The exit status when it has exited by itself, else null. */
    Integer exited() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** SIGTERM (final sync, then exit); returns the exit status, or -1 when it did not exit within 120 s. */
    int terminate() throws IOException, InterruptedException {
        mark("SIGTERM");
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            mark("no exit within 120 s after SIGTERM: killed");
            return -1;
        }
        mark("exited " + process.exitValue());
        return process.exitValue();
    }

    /** SIGKILL: no final sync. */
    void kill() throws IOException, InterruptedException {
        mark("SIGKILL");
        process.destroyForcibly().waitFor();
    }

    void mark(String what) throws IOException {
        Files.writeString(log, "---- soak " + Instant.now() + " " + what + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
