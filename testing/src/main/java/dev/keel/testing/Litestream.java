package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Litestream 0.3.13 (the official Linux binary from npm, installed into {@code .tools/} by
 * {@code scripts/install-test-tools}) for interoperability tests: writes config files, runs
 * {@code restore}, starts and stops {@code replicate}.
 */
public final class Litestream {
    private Litestream() {
    }

    /** The binary; the calling test is skipped when it is not installed. */
    public static Path binary() {
        Path bin = Path.of(System.getProperty("keel.tools.dir", ".tools"), "node_modules/@flydotio/litestream-linux-x64/litestream");
        assumeTrue(Files.isExecutable(bin), "Litestream is not installed; run scripts/install-test-tools");
        return bin;
    }

    /**
     * Writes a config file with one database and one replica; {@code replicaKeys} are the replica's
     * YAML keys, one per line ("type: s3", "bucket: b", ...). Timings are short so tests stay fast.
     */
    public static Path config(Path file, Path db, String... replicaKeys) throws IOException {
        StringBuilder yaml = new StringBuilder();
        yaml.append("dbs:\n  - path: ").append(db.toAbsolutePath()).append('\n');
        yaml.append("    monitor-interval: 100ms\n    checkpoint-interval: 1s\n    min-checkpoint-page-count: 50\n");
        yaml.append("    replicas:\n");
        for (int i = 0; i < replicaKeys.length; i++) {
            yaml.append(i == 0 ? "      - " : "        ").append(replicaKeys[i]).append('\n');
        }
        Files.writeString(file, yaml.toString());
        return file;
    }

    /** Runs {@code litestream ARGS} to completion with extra environment variables; returns its output, fails on a non-zero exit. */
    public static String run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("litestream " + args[0] + " did not finish: " + output);
        }
        if (p.exitValue() != 0) throw new AssertionError("litestream " + String.join(" ", args) + " exited " + p.exitValue() + ":\n" + output);
        return output;
    }

    /** Starts {@code litestream replicate -config CONFIG}, its output going to {@code log}. */
    public static Process replicate(Path config, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(binary().toString(), "replicate", "-config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * Creates {@code db}, replicates it with {@code litestream replicate} to the replica described by
     * {@code replicaKeys} (see {@link #config}) while two writers run for 3 s (seeded), and stops
     * Litestream after a few more sync intervals: a replica Litestream wrote, for Keel to read.
     */
    public static void replicateUnderLoad(Path dir, Path db, Map<String, String> env, long seed, String... replicaKeys)
            throws Exception {
        WriterLoad.create(db);
        Path config = config(dir.resolve("litestream.yml"), db, replicaKeys);
        Process litestream = replicate(config, env, dir.resolve("litestream.log"));
        try (WriterLoad writers = WriterLoad.start(db, 2, Duration.ofMillis(5), seed)) {
            Thread.sleep(3000);
        } finally {
            Thread.sleep(1500); // a few more sync intervals for the last writes
            stop(litestream);
        }
    }

    /**
     * Keel replicates a new database at {@code dir}/app.db to {@code storage} while three writers run
     * for 4 s (seeded); the replica then holds several WAL indexes, and both Keel (reading through
     * {@code reader}) and {@code litestream restore} (replica keys as in {@link #config}, environment
     * {@code env}) restore it equal to the source.
     */
    public static void assertKeelReplicaRestoresInBoth(Path dir, ReplicaStorage storage,
                                                       Function<ReplicaConfig, ReplicaClient> clients,
                                                       Supplier<ReplicaClient> reader, Map<String, String> env,
                                                       String... replicaKeys) throws Exception {
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        long seed = System.nanoTime();
        try (Replicator r = ReplicationScenario.start(ReplicationScenario.database(db, storage), clients);
             WriterLoad writers = WriterLoad.start(db, 3, Duration.ofMillis(3), seed)) {
            Thread.sleep(4000);
            assertThat(writers.commits()).as("seed " + seed).isGreaterThan(100);
        }
        try (ReplicaClient client = reader.get()) {
            var generation = ReplicaCatalog.load(client).latestGeneration().orElseThrow().generation();
            assertThat(ReplicaCatalog.load(client).walSegments(generation).stream().map(w -> w.index()).distinct().count())
                    .as("WAL indexes in the replica (checkpoints happened while writing)").isGreaterThan(2);
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("keel.db"));
        }
        Path config = config(dir.resolve("litestream.yml"), db, replicaKeys);
        Path theirs = dir.resolve("litestream.db");
        run(env, "restore", "-config", config.toString(), "-o", theirs.toString(), db.toString());
        ReplicationScenario.assertRestoredEquals(db, theirs);
    }

    /** Stops a replicate process with SIGTERM (it syncs once more on the way out) and waits for it. */
    public static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("litestream replicate did not stop on SIGTERM");
        }
    }
}
