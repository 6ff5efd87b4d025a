package dev.keel.cli.replicate;

import dev.keel.cli.Keel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel ARGS} as a separate process (a replicator or a follower that can be signalled or killed), its
 * output collected as it runs.
 */
public final class KeelProcess implements AutoCloseable {
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    final Process process;
    private final StringBuilder log = new StringBuilder();
    private final Thread reader;

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
        reader = t;
    }

    public static KeelProcess start(String... args) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", // a short-lived replicator: start fast on a busy machine
                "-cp", System.getProperty("java.class.path"), Keel.class.getName()));
        cmd.addAll(List.of(args));
        return new KeelProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    public long pid() {
        return process.pid();
    }

    public String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    public boolean logged(String text) {
        synchronized (log) {
            return log.indexOf(text) >= 0;
        }
    }

    /** Waits (generously: the machine may be loaded) until the output holds {@code text}. */
    public void await(String text) throws InterruptedException {
        await(text, PATIENCE);
    }

    /** Waits up to {@code within} until the output holds {@code text}; fails when the process exits without it. */
    public void await(String text, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!logged(text)) {
            if (!process.isAlive() && !logged(text)) {
                Thread.sleep(200); // the last lines may still be on their way
                if (logged(text)) return;
                throw new AssertionError("the process exited (" + process.exitValue() + ") without '" + text + "' in:\n" + log());
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no '" + text + "' within " + within.toSeconds() + " s in:\n" + log());
            Thread.sleep(50);
        }
    }

    /** Waits until the output holds {@code text} (true) or the process exited without it (false). */
    public boolean startedOrExited(String text) throws InterruptedException {
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
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM, then the exit status once the final sync ended and the whole output is read. */
    public int stop() throws InterruptedException {
        process.toHandle().destroy(); // Process.destroy() would also close the output the last lines are read from
        if (!process.waitFor(90, TimeUnit.SECONDS)) throw new AssertionError("no exit within 90 s of SIGTERM:\n" + log());
        return exited();
    }

    /** Waits until the process exits by itself and its whole output is read; its exit status. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("no exit within " + PATIENCE.toSeconds() + " s:\n" + log());
        }
        return exited();
    }

    private int exited() throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(30)); // the last lines may still be on their way
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
