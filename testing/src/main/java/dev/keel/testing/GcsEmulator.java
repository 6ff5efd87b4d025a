package dev.keel.testing;

import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The Firebase Storage emulator's Cloud Storage JSON API ({@code firebase-tools} from npm, installed
 * by scripts/install-test-tools) run with Node as a child process on 127.0.0.1 with a free port.
 * It is started by a small launcher (gcs-emulator.js beside this class) rather than
 * {@code firebase emulators:start}, which needs Java 21 and downloads a rules engine at start.
 * Buckets exist as soon as they are named. Objects live in the process's memory: {@link #stop()}
 * loses them, so outage tests go through a {@link FaultProxy} instead.
 *
 * <p>What the emulator does not implement (as of firebase-tools 15.34.2): generation preconditions
 * ({@code ifGenerationMatch} is ignored), resumable uploads in more than one request (the first PUT
 * finalizes the object), batch requests, and missing buckets (any name is created on first use).
 */
public final class GcsEmulator implements TestServer {
    /** The project of the emulator; a {@code demo-} project needs no login. */
    public static final String PROJECT = "demo-keel";
    private static final String PACKAGE = "node_modules/firebase-tools";
    private static final long START_TIMEOUT_MS = 60_000;

    private Path workDir;
    private Process process;
    private int port;

    /** Starts the emulator, on the port it had before when restarted. Does nothing when running. */
    @Override
    public synchronized GcsEmulator start() {
        if (process != null && process.isAlive()) return this;
        Path firebaseTools = locatePackage();
        try {
            if (workDir == null) workDir = Files.createTempDirectory("keel-gcs-");
            if (port == 0) port = S3TestServer.freePort();
            Path script = workDir.resolve("gcs-emulator.js");
            try (InputStream in = GcsEmulator.class.getResourceAsStream("gcs-emulator.js")) {
                Files.write(script, in.readAllBytes());
            }
            Path log = workDir.resolve("emulator.log");
            Path tmp = Files.createDirectories(workDir.resolve("tmp"));
            ProcessBuilder builder = new ProcessBuilder(List.of("node", script.toString(), firebaseTools.toString(),
                    Integer.toString(port)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // its blobs under the work dir; no update checks, no usage reports, no login
            builder.environment().putAll(Map.of("TMPDIR", tmp.toString(), "NO_UPDATE_NOTIFIER", "1",
                    "XDG_CONFIG_HOME", workDir.resolve("config").toString(), "CI", "true"));
            process = builder.start();
            awaitListening(log);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the GCS emulator from " + firebaseTools, e);
        }
    }

    private void awaitListening(Path log) throws IOException {
        // the launcher prints this line once the server accepts connections
        ToolProcess.awaitReady(process, log, port, START_TIMEOUT_MS, "the GCS emulator", () -> {
            try {
                return Files.readString(log).contains("gcs emulator listening");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Stops the process; its objects are lost (the emulator keeps them in memory). */
    @Override
    public synchronized void stop() {
        if (process == null) return;
        ToolProcess.stop(process);
        process = null;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, the value of {@code STORAGE_EMULATOR_HOST} for clients of this emulator. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** The environment a client of this emulator sees: {@code STORAGE_EMULATOR_HOST} and nothing else. */
    public UnaryOperator<String> environment() {
        return environment(host());
    }

    /** An environment with {@code STORAGE_EMULATOR_HOST} set to {@code host} (this emulator behind a proxy). */
    public static UnaryOperator<String> environment(String host) {
        return name -> name.equals("STORAGE_EMULATOR_HOST") ? host : null;
    }

    /** Replica settings for {@code bucket}/{@code path}; the client finds the emulator through {@link #environment()}. */
    public ReplicaStorage.Gcs storage(String bucket, String path) {
        return new ReplicaStorage.Gcs(bucket, path);
    }

    /** Stops the emulator and deletes its workspace. */
    @Override
    public synchronized void close() {
        stop();
        if (workDir != null) S3TestServer.deleteTree(workDir);
        workDir = null;
    }

    /** firebase-tools from the tools directory (see {@link ToolProcess#locate}). */
    static Path locatePackage() {
        return ToolProcess.locate(PACKAGE, p -> Files.isDirectory(p.resolve("lib/emulator/storage")), "firebase-tools (the GCS emulator)");
    }
}
