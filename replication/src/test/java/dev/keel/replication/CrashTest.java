package dev.keel.replication;

import static dev.keel.replication.TestDatabases.dump;
import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writers run while the replicator, a child process, is killed with SIGKILL at random points; after a
 * restart and a final sync the restored database equals the source and passes integrity_check.
 */
class CrashTest {
    @TempDir
    Path dir;

    enum Scenario {
        /** Small transactions only. */
        PLAIN,
        /** The application checkpoints on its own, often. */
        APP_AUTOCHECKPOINT,
        /** VACUUM now and then, which rewrites the whole database. */
        VACUUM,
        /** The WAL is checkpointed and truncated by the application while Keel is down. */
        WAL_TRUNCATED_WHILE_DOWN,
        /** Transactions of tens of megabytes. */
        LARGE_TRANSACTIONS
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void restoreEqualsSourceAfterKills(Scenario scenario) throws Exception {
        long seed = Long.getLong("keel.crash.seed", System.nanoTime());
        System.out.println("CrashTest " + scenario + " seed=" + seed + " (rerun with -Dkeel.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        String minPages = scenario == Scenario.LARGE_TRANSACTIONS ? "1000" : "50";
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, b BLOB)");
            exec(app, "PRAGMA wal_autocheckpoint = " + (scenario == Scenario.APP_AUTOCHECKPOINT ? 20 : 0));
            int iterations = scenario == Scenario.LARGE_TRANSACTIONS ? 2 : 4;
            int nextId = 0;
            for (int i = 0; i < iterations; i++) {
                Process child = start("run", db, replica, minPages);
                AtomicBoolean stop = new AtomicBoolean();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                int startId = nextId;
                int[] written = {0};
                Thread writer = new Thread(() -> {
                    try {
                        written[0] = write(app, db, scenario, random, startId, stop);
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                });
                writer.start();
                Thread.sleep(150 + random.nextInt(scenario == Scenario.LARGE_TRANSACTIONS ? 2500 : 700));
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
                stop.set(true);
                writer.join();
                if (failed.get() != null) throw new AssertionError("writer failed", failed.get());
                nextId += written[0];
                if (scenario == Scenario.WAL_TRUNCATED_WHILE_DOWN) exec(app, "PRAGMA wal_checkpoint(TRUNCATE)");
            }
            Process last = start("final", db, replica, minPages);
            String out = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).as("final sync exit status; output:\n" + out).isZero();
            try {
                List<String> expected = dump(app);
                assertThat(expected.size()).isGreaterThan(0);
                Path restored = TestDatabases.restore(replica, dir.resolve("restored.db"));
                assertThat(TestDatabases.integrityCheck(restored)).isEqualTo("ok");
                assertThat(dump(restored)).as("test-only restore, seed " + seed).isEqualTo(expected);
                // The production restore must agree: same rows, sound file (it runs integrity_check itself).
                Path production = TestDatabases.restoreWithRestorer(replica, dir.resolve("restored-by-restorer.db"));
                assertThat(TestDatabases.integrityCheck(production)).isEqualTo("ok");
                assertThat(dump(production)).as("Restorer, seed " + seed).isEqualTo(expected);
            } catch (Throwable t) {
                Path keep = Path.of(System.getProperty("java.io.tmpdir"), "keel-crash-" + scenario + "-" + seed);
                copyTree(dir, keep);
                System.out.println("CrashTest kept the files of the failed run in " + keep);
                throw t;
            }
        }
    }

    private static int write(Connection app, Path db, Scenario scenario, Random random, int startId, AtomicBoolean stop) throws Exception {
        int id = startId;
        try (PreparedStatement ps = app.prepareStatement("INSERT INTO t (id, v, b) VALUES (?, ?, ?)")) {
            while (!stop.get()) {
                if (scenario == Scenario.LARGE_TRANSACTIONS && id - startId < 1) {
                    app.setAutoCommit(false);
                    byte[] blob = new byte[1 << 20];
                    for (int k = 0; k < 24; k++) { // 24 MB in one transaction
                        random.nextBytes(blob);
                        ps.setInt(1, id++);
                        ps.setString(2, "large " + k);
                        ps.setBytes(3, blob);
                        ps.executeUpdate();
                    }
                    app.commit();
                    app.setAutoCommit(true);
                    continue;
                }
                int rows = random.nextInt(10) == 0 ? 1 + random.nextInt(200) : 1;
                if (rows > 1) app.setAutoCommit(false);
                for (int k = 0; k < rows; k++) {
                    ps.setInt(1, id++);
                    ps.setString(2, "v" + random.nextInt());
                    ps.setBytes(3, new byte[random.nextInt(2000)]);
                    ps.executeUpdate();
                }
                if (rows > 1) {
                    app.commit();
                    app.setAutoCommit(true);
                }
                if (scenario == Scenario.VACUUM && random.nextInt(300) == 0) {
                    exec(app, "DELETE FROM t WHERE id % 7 = 3");
                    try (Connection vacuum = TestDatabases.open(db)) { // VACUUM needs a connection with no open statements
                        exec(vacuum, "VACUUM");
                    }
                }
                if (random.nextInt(50) == 0) Thread.sleep(random.nextInt(20));
            }
        }
        return id - startId;
    }

    private static Process start(String mode, Path db, Path replica, String minPages) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                CrashReplicatorMain.class.getName(), mode, db.toString(), replica.toString(), minPages));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (mode.equals("final")) return pb.start();
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        // Wait until the replicator runs, so each kill hits a running replicator rather than a starting JVM.
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.equals("started")) {
            System.out.println("replicator: " + line);
        }
        Thread drain = new Thread(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) System.out.println("replicator: " + l);
            } catch (java.io.IOException ignored) {
                // process killed
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) java.nio.file.Files.createDirectories(target);
                else java.nio.file.Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
