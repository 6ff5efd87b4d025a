package dev.keel.replication;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash and checkpoint-race tests at fleet scale: one replicator process follows a hundred
 * databases while writers commit to a random subset, the application checkpoints (and restarts
 * the WAL) on its own both while Keel runs and while it is down, and the replicator is killed with
 * SIGKILL at random points and started again. After a final sync every database restores to exactly
 * its source and passes integrity_check: no acknowledged write lost, no gap hidden inside a generation.
 * The second run holds only ten databases open at once, so parking, taking back and the application's
 * checkpoints while a database is parked happen all the time.
 */
class FleetCrashTest {
    private static final int DATABASES = 100;

    @TempDir
    Path dir;

    private int budget;

    @Test
    void everyDatabaseRestoresToItsSourceAfterKillsAndForeignCheckpoints() throws Exception {
        run(0);
    }

    @Test
    void everyDatabaseRestoresToItsSourceWithMostOfThemParked() throws Exception {
        run(10);
    }

    private void run(int heldBudget) throws Exception {
        this.budget = heldBudget;
        long seed = Long.getLong("keel.crash.seed", System.nanoTime());
        System.out.println("FleetCrashTest budget=" + heldBudget + " seed=" + seed + " (rerun with -Dkeel.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Connection> apps = new ArrayList<>();
        try {
            for (int i = 0; i < DATABASES; i++) {
                Connection app = TestDatabases.open(FleetReplicatorMain.db(dir, i));
                TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, b BLOB)",
                        "PRAGMA wal_autocheckpoint = 0", "INSERT INTO t (v) VALUES ('first of " + i + "')");
                apps.add(app);
            }
            for (int round = 0; round < 3; round++) {
                Process child = start("run");
                List<Integer> subset = new ArrayList<>();
                for (int i = 0; i < DATABASES; i++) if (random.nextInt(4) == 0) subset.add(i);
                AtomicBoolean stop = new AtomicBoolean();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    long writerSeed = random.nextLong();
                    Thread t = new Thread(() -> {
                        try {
                            write(apps, subset, new Random(writerSeed), stop);
                        } catch (Throwable e) {
                            failed.set(e);
                        }
                    });
                    t.start();
                    writers.add(t);
                }
                Thread.sleep(300 + random.nextInt(1500));
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
                stop.set(true);
                for (Thread t : writers) t.join();
                if (failed.get() != null) throw new AssertionError("writer failed, seed " + seed, failed.get());
                // While Keel is down the application checkpoints some databases and writes on: the WAL
                // restarts under frames Keel may not have copied, which must start a new generation.
                for (int i = 0; i < DATABASES; i++) {
                    if (random.nextInt(8) != 0) continue;
                    Connection app = apps.get(i);
                    synchronized (app) {
                        TestDatabases.exec(app, "PRAGMA wal_checkpoint(" + (random.nextBoolean() ? "TRUNCATE" : "RESTART") + ")",
                                "INSERT INTO t (v) VALUES ('while down')");
                    }
                }
            }
            Process last = start("final");
            String out = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).as("final sync exit status, seed %d; output:\n%s", seed, out).isZero();
            for (int i = 0; i < DATABASES; i++) {
                Path restored = TestDatabases.restoreWithRestorer(FleetReplicatorMain.replica(dir, i), dir.resolve("restored-" + i + ".db"));
                assertThat(TestDatabases.integrityCheck(restored)).as("db %d, seed %d", i, seed).isEqualTo("ok");
                List<String> expected;
                synchronized (apps.get(i)) {
                    expected = TestDatabases.dump(apps.get(i));
                }
                assertThat(TestDatabases.dump(restored)).as("db %d, seed %d", i, seed).isEqualTo(expected);
            }
        } finally {
            for (Connection c : apps) c.close();
        }
    }

    /** Commits to random databases of the subset: single rows, and now and then a large transaction or a checkpoint of the application's own. */
    private static void write(List<Connection> apps, List<Integer> subset, Random random, AtomicBoolean stop) throws Exception {
        if (subset.isEmpty()) return;
        while (!stop.get()) {
            Connection app = apps.get(subset.get(random.nextInt(subset.size())));
            synchronized (app) {
                int rows = random.nextInt(12) == 0 ? 20 + random.nextInt(60) : 1;
                if (rows > 1) app.setAutoCommit(false);
                try (PreparedStatement ps = app.prepareStatement("INSERT INTO t (v, b) VALUES (?, ?)")) {
                    for (int k = 0; k < rows; k++) {
                        ps.setString(1, "v" + random.nextInt());
                        ps.setBytes(2, new byte[random.nextInt(3000)]);
                        ps.executeUpdate();
                    }
                }
                if (rows > 1) {
                    app.commit();
                    app.setAutoCommit(true);
                }
                if (random.nextInt(40) == 0) TestDatabases.exec(app, "PRAGMA wal_checkpoint(PASSIVE)");
            }
            if (random.nextInt(20) == 0) Thread.sleep(random.nextInt(10));
        }
    }

    private Process start(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", FleetReplicatorMain.class.getName(), mode, dir.toString(),
                Integer.toString(DATABASES), Integer.toString(budget)).redirectErrorStream(true);
        Process p = pb.start();
        if (mode.equals("final")) return p;
        // Kill a running replicator, not a starting JVM: wait until it says it started.
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.equals("started")) System.out.println("replicator: " + line);
        Thread drain = new Thread(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) System.out.println("replicator: " + l);
            } catch (java.io.IOException ignored) {
                // killed
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }
}
