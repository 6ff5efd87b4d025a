package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.keel.cli.OutputOptions;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded hostile config files: alias bombs, deep nesting, huge scalars, binary bytes, tabs, duplicate
 * keys, wrong types in every key, negative and overflowing durations and sizes, environment variables
 * expanded into secrets and into overlapping paths, unicode and {@code ..} paths. Each file either loads
 * into a config whose rendering hides its secrets, or fails with a BAD_INPUT/USAGE KeelException naming
 * the file (and line) with a hint, never showing a secret, quickly, and never with any other throwable.
 * Run with {@code -Dkeel.seed=N} to repeat a failing run.
 */
class HostileConfigTest {
    private static final int CASES = 200;
    private static final long CASE_LIMIT_MS = 5_000;

    @TempDir
    Path tmp;

    @Test
    void everyHostileFileLoadsOrFailsCleanly() throws Exception {
        long seed = Long.getLong("keel.seed", System.nanoTime());
        Random random = new Random(seed);
        ConfigFixture fx = new ConfigFixture(tmp);
        long started = System.nanoTime();
        int loaded = 0;
        for (int i = 0; i < CASES; i++) {
            HostileYaml.Case c = new HostileYaml(random, fx.dir).next();
            Path file = fx.dir.resolve("hostile-" + i + ".yml");
            Files.write(file, c.bytes());
            try {
                if (check(fx, file, c)) loaded++;
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (rerun with -Dkeel.seed=" + seed + "), case " + i + " ("
                        + c.mutations() + "):\n" + preview(c.bytes()), e);
            }
            Files.delete(file);
        }
        assertThat(loaded).as("seed %d: some cases should still be valid configs", seed).isPositive();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).as("seed %d", seed).isLessThan(60);
    }

    /** True when the file loaded; checks either way that nothing unexpected happened. */
    private static boolean check(ConfigFixture fx, Path file, HostileYaml.Case c) throws Exception {
        ConfigLoader loader = new ConfigLoader(fx.env(c.env()), java.time.Duration.ofSeconds(2));
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                outcome.complete(loader.load(file.toString(), c.expandEnv()));
            } catch (Throwable t) { // anything at all, an Error included, is an outcome to judge
                outcome.complete(t);
            }
        }, "hostile-config");
        worker.setDaemon(true);
        worker.start();
        Object result;
        try {
            result = outcome.get(CASE_LIMIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            StringBuilder where = new StringBuilder();
            for (StackTraceElement frame : worker.getStackTrace()) where.append("\n\tat ").append(frame);
            worker.interrupt();
            fail("loading took more than %d ms; the loader was at:%s", CASE_LIMIT_MS, where);
            return false;
        }
        if (result instanceof KeelConfig config) {
            assertRenderingHidesSecrets(config, c.secrets());
            return true;
        }
        if (!(result instanceof KeelException e)) {
            throw new AssertionError("not a KeelException: " + result, (Throwable) result);
        }
        assertThat(e.code()).as(e.toString()).isIn(ErrorCode.BAD_INPUT, ErrorCode.USAGE);
        assertThat(e.subject()).as(e.toString()).startsWith(file.toString());
        assertThat(e.hint()).as(e.toString()).isNotBlank();
        assertThat(e.getMessage().length() + e.hint().length()).as("a message is a few lines, not the file: %s", e.toString().substring(0, Math.min(300, e.toString().length()))).isLessThan(4_000);
        for (String secret : c.secrets()) assertThat(e.toString()).as("secret in the error").doesNotContain(secret);
        return false;
    }

    private static void assertRenderingHidesSecrets(KeelConfig config, List<String> secrets) {
        StringWriter out = new StringWriter();
        List<Object> rows = new ArrayList<>();
        for (DatabaseConfig db : config.databases()) {
            for (ReplicaConfig r : db.replicas()) rows.add(Map.of("db", db.path().toString(), "name", r.name(), "url", r.storage().describe()));
        }
        OutputOptions.printJson(new PrintWriter(out), Map.of("replicas", rows, "exec", String.valueOf(config.exec())), config.redactor());
        for (String secret : secrets) assertThat(out.toString()).as("secret in the rendering").doesNotContain(secret);
    }

    private static String preview(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 2_000), StandardCharsets.UTF_8);
        return text + (bytes.length > 2_000 ? "\n... (" + bytes.length + " bytes)" : "");
    }
}
