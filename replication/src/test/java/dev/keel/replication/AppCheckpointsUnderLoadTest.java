package dev.keel.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that checkpoints on its own while Keel replicates under load: SQLite's default
 * {@code wal_autocheckpoint} on every writer, a thread that runs PASSIVE checkpoints of its own, and
 * readers whose snapshots now and then stop a WAL restart. Keel checkpoints often (a low page count)
 * so its checkpoints race the application's all the time. None of that may start a new generation,
 * and the replica restores to the source.
 */
class AppCheckpointsUnderLoadTest {
    @TempDir
    Path dir;

    @Test
    void theApplicationsOwnCheckpointsNeverStartANewGeneration() throws Exception {
        long seed = Long.getLong("keel.crash.seed", System.nanoTime());
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        try (Connection setup = TestDatabases.open(db)) {
            TestDatabases.exec(setup, "CREATE TABLE t (id INTEGER PRIMARY KEY, w INTEGER, v BLOB)");
        }
        List<String> generations = new CopyOnWriteArrayList<>();
        ReplicationListener listener = new ReplicationListener() {
            @Override
            public void generationStarted(Path path, Generation generation, String reason) {
                generations.add(reason);
            }
        };
        ReplicaConfig dirReplica = new ReplicaConfig(null, new ReplicaStorage.File(replica), Duration.ofMillis(50), null, null, null, null);
        DatabaseConfig config = new DatabaseConfig(db, null, Duration.ofMillis(20), Duration.ofMillis(200), 150, 2000,
                List.of(dirReplica), DatabaseConfig.UNBOUNDED_SHADOW_BACKLOG);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicLong commits = new AtomicLong();
        AtomicLong appCheckpoints = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        Random seeds = new Random(seed);
        try (Replicator r = Replicator.configure().database(config).listener(listener).start()) {
            for (int w = 0; w < 2; w++) {
                int writer = w;
                long writerSeed = seeds.nextLong();
                threads.add(run(failed, () -> write(db, writer, new Random(writerSeed), stop, commits)));
            }
            long checkpointSeed = seeds.nextLong();
            threads.add(run(failed, () -> checkpoint(db, new Random(checkpointSeed), stop, appCheckpoints)));
            threads.add(run(failed, () -> read(db, new Random(seeds.nextLong()), stop)));
            Thread.sleep(4000);
            stop.set(true);
            for (Thread t : threads) t.join();
            if (failed.get() != null) throw new AssertionError("application thread failed, seed " + seed, failed.get());
        }
        assertThat(commits.get()).as("commits").isGreaterThan(500);
        assertThat(appCheckpoints.get()).as("application checkpoints").isGreaterThan(40);
        assertThat(generations).as("generations started, seed %d", seed).hasSize(1);
        Path restored = TestDatabases.restore(replica, dir.resolve("restored.db"));
        assertThat(TestDatabases.integrityCheck(restored)).isEqualTo("ok");
        assertThat(TestDatabases.dump(restored)).as("seed %d", seed).isEqualTo(TestDatabases.dump(db));
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static Thread run(AtomicReference<Throwable> failed, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failed.compareAndSet(null, e);
            }
        });
        t.start();
        return t;
    }

    /**
     * Single rows, and now and then a transaction of a few dozen pages, with SQLite's default autocheckpoint.
     * (A transaction larger than the WAL Keel last checkpointed, committed in the instant after Keel's
     * checkpoint, overwrites the frames that would prove the restart: docs/replication.md says so.)
     */
    private static void write(Path db, int writer, Random random, AtomicBoolean stop, AtomicLong commits) throws Exception {
        try (Connection app = TestDatabases.open(db);
             PreparedStatement ps = app.prepareStatement("INSERT INTO t (w, v) VALUES (?, ?)")) {
            while (!stop.get()) {
                int rows = random.nextInt(50) == 0 ? 10 + random.nextInt(30) : 1;
                if (rows > 1) app.setAutoCommit(false);
                for (int k = 0; k < rows; k++) {
                    ps.setInt(1, writer);
                    ps.setBytes(2, new byte[random.nextInt(2000)]);
                    ps.executeUpdate();
                }
                if (rows > 1) {
                    app.commit();
                    app.setAutoCommit(true);
                }
                commits.incrementAndGet();
            }
        }
    }

    /**
     * A checkpoint of the application's own every 10-40 ms. (Two restarts by the application within the
     * instant between Keel's checkpoint and Keel's write lock cannot be proven: salt-1 then moved on by
     * two, and Keel starts a new generation, as docs/replication.md says.)
     */
    private static void checkpoint(Path db, Random random, AtomicBoolean stop, AtomicLong checkpoints) throws Exception {
        try (Connection app = TestDatabases.open(db)) {
            while (!stop.get()) {
                TestDatabases.exec(app, "PRAGMA wal_checkpoint(PASSIVE)");
                checkpoints.incrementAndGet();
                Thread.sleep(10 + random.nextInt(30));
            }
        }
    }

    /** Reads that hold a snapshot for a moment, so some restarts are held back and the WAL is appended to. */
    private static void read(Path db, Random random, AtomicBoolean stop) throws Exception {
        try (Connection app = TestDatabases.open(db)) {
            while (!stop.get()) {
                app.setAutoCommit(false);
                try (ResultSet rs = app.createStatement().executeQuery("SELECT count(*) FROM t")) {
                    rs.next();
                }
                Thread.sleep(random.nextInt(5));
                app.commit();
                app.setAutoCommit(true);
                Thread.sleep(random.nextInt(10));
            }
        }
    }
}
