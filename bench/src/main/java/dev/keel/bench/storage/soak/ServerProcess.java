package dev.keel.bench.storage.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A storage server running as its own process on a fixed loopback port, its output appended to a log:
 * started, then killed with SIGKILL (no shutdown hook, no flush, like a crash or an OOM kill) and
 * started again on the same port and data.
 */
final class ServerProcess {
    private final String name;
    private final List<String> command;
    private final int port;
    private final Path log;
    private Process process;

    ServerProcess(String name, List<String> command, int port, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.port = port;
        this.log = log;
    }

    /** A java command running {@code mainClass} of this class path in a small JVM of its own. */
    static List<String> java(Class<?> mainClass, String... args) {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        c.addAll(List.of(args));
        return c;
    }

    /** Starts the server and waits until its port accepts connections (at most 60 s). */
    void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) return;
        Files.writeString(log, "---- " + java.time.Instant.now() + " starting " + name + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException(name + " exited " + process.exitValue() + "; see " + log);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        kill();
        throw new IllegalStateException(name + " did not listen on 127.0.0.1:" + port + " within 60 s; see " + log);
    }

    /** SIGKILL to the server and any child it has; returns once it is gone. */
    void kill() throws IOException, InterruptedException {
        Process p = process;
        process = null;
        if (p == null) return;
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        p.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle c : children) c.onExit().join();
        Files.writeString(log, "---- " + java.time.Instant.now() + " killed " + name + " (SIGKILL)\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
