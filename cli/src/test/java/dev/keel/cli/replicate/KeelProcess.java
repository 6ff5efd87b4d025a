package dev.keel.cli.replicate;

import dev.keel.cli.Keel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code keel ARGS} as a separate process (a replicator that can be killed), its output collected as it runs. */
final class KeelProcess implements AutoCloseable {
    final Process process;
    private final StringBuilder log = new StringBuilder();

    private KeelProcess(Process process) {
        this.process = process;
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
    }

    static KeelProcess start(String... args) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", // a short-lived replicator: start fast on a busy machine
                "-cp", System.getProperty("java.class.path"), Keel.class.getName()));
        cmd.addAll(List.of(args));
        return new KeelProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    long pid() {
        return process.pid();
    }

    String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    boolean logged(String text) {
        synchronized (log) {
            return log.indexOf(text) >= 0;
        }
    }

    /** Waits (generously: the machine may be loaded) until the output holds {@code text}. */
    void await(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!logged(text)) {
            if (!process.isAlive() && !logged(text)) {
                Thread.sleep(200); // the last lines may still be on their way
                if (logged(text)) return;
                throw new AssertionError("the process exited (" + process.exitValue() + ") without '" + text + "' in:\n" + log());
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no '" + text + "' within 90 s in:\n" + log());
            Thread.sleep(50);
        }
    }

    /** Waits until the output holds {@code text} (true) or the process exited without it (false). */
    boolean startedOrExited(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!logged(text)) {
            if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
                Thread.sleep(200); // the last lines may still be on their way
                return logged(text);
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no '" + text + "' within 90 s in:\n" + log());
        }
        return true;
    }

    /** SIGKILL: nothing runs after it, the lease is not released. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM, then the exit status once the final sync ended. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) throw new AssertionError("no exit within 90 s of SIGTERM:\n" + log());
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
