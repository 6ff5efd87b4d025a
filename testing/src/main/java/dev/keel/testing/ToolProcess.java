package dev.keel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/** What the servers run from the npm tools directory (Azurite, the GCS emulator) share: finding the tool, stopping it. */
final class ToolProcess {
    private ToolProcess() {
    }

    /**
     * {@code relative} under the tools directory (system property keel.tools.dir, else a .tools
     * directory above the working directory) when {@code present} accepts it. When it is missing a
     * test is skipped on a developer's machine but fails in CI, where scripts/install-test-tools must have run.
     */
    static Path locate(String relative, Predicate<Path> present, String what) {
        String configured = System.getProperty("keel.tools.dir");
        if (configured != null && present.test(Paths.get(configured).resolve(relative))) {
            return Paths.get(configured).resolve(relative);
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".tools").resolve(relative);
            if (present.test(candidate)) return candidate;
        }
        String message = what + " is not installed (looked for " + relative + " under "
                + (configured == null ? ".tools" : configured) + "); run scripts/install-test-tools";
        if (System.getenv("CI") == null) Assumptions.abort(message);
        throw new IllegalStateException(message);
    }

    /**
     * Waits until {@code ready} says the server at 127.0.0.1:{@code port} answers; when the process exits
     * first, or {@code timeoutMs} pass (then the process is stopped), fails with its log.
     */
    static void awaitReady(Process process, Path log, int port, long timeoutMs, String what, BooleanSupplier ready)
            throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with status " + process.exitValue() + ": " + Files.readString(log));
            }
            if (ready.getAsBoolean()) return;
            sleep(100, what);
        }
        stop(process);
        throw new IllegalStateException(what + " did not listen on 127.0.0.1:" + port + " within "
                + timeoutMs / 1000 + "s: " + Files.readString(log));
    }

    /** Ends the process and its children: SIGTERM, then SIGKILL after 5 s. */
    static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }
}
