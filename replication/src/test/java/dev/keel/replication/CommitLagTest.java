package dev.keel.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a commit waits for its upload: a lone commit on an idle database is shipped as soon as it
 * is written, not at the next {@code sync-interval} or {@code monitor-interval} tick, and so is one
 * that follows the previous upload by a fifth of the sync interval; under a steady writer the sync
 * interval still bounds how often the replica uploads.
 */
class CommitLagTest {
    /** Uploads that find commits waiting before the replica falls back to one upload per sync interval. */
    private static final int SUSTAINED_AFTER = 10;

    @TempDir
    Path dir;

    private final AtomicReference<CountingClient> client = new AtomicReference<>();

    @Test
    void aLoneCommitOnAnIdleDatabaseIsUploadedLongBeforeTheNextTick() throws Exception {
        Duration interval = Duration.ofSeconds(10); // both the sync and the monitor interval: ticks every 10 s
        Path db = dir.resolve("app.db");
        try (Connection app = TestDatabases.open(db)) {
            TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t (v) VALUES ('first')");
            try (Replicator r = start(db, interval, interval)) {
                awaitReplicated(r, db, Duration.ofSeconds(30)); // the first snapshot, at start
                long snapshotAt = System.currentTimeMillis();
                // The replica has been idle for a whole sync interval, and the commit lands just after a tick
                // (ticks fall on multiples of the interval on the wall clock): waiting for the next tick would
                // take about 9.5 s, far past the deadline below.
                long commitAt = snapshotAt + interval.toMillis() + 200;
                commitAt += Math.floorMod(500 - commitAt, interval.toMillis());
                Thread.sleep(commitAt - System.currentTimeMillis());
                int putsBefore = client.get().puts.get();
                Position before = r.replicaPosition(db, "dir");
                TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('lone commit')");
                long committed = System.nanoTime();
                Position head = awaitMoved(r, db, before, Duration.ofSeconds(4));
                awaitReplicaAt(r, db, head, committed + Duration.ofSeconds(4).toNanos(),
                        "a lone commit must reach the replica well before the next tick (sync-interval 10 s)");
                assertThat(client.get().puts.get() - putsBefore).as("one segment: %s", client.get()).isEqualTo(1);
            }
            Path restored = TestDatabases.restore(dir.resolve("replica"), dir.resolve("restored.db"));
            assertThat(TestDatabases.dump(restored)).isEqualTo(TestDatabases.dump(app));
        }
    }

    @Test
    void commitsAFewSecondsApartAreUploadedWithoutWaitingForTheSyncInterval() throws Exception {
        Duration interval = Duration.ofSeconds(10); // both the sync and the monitor interval; the short gap is 2 s
        Path db = dir.resolve("bursty.db");
        try (Connection app = TestDatabases.open(db)) {
            TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            try (Replicator r = start(db, interval, interval)) {
                awaitReplicated(r, db, Duration.ofSeconds(30)); // the first snapshot, at start
                for (int i = 0; i < 2; i++) {
                    // 3 s after the previous upload: waiting for the sync interval would take about 7 s more.
                    Thread.sleep(3000);
                    int putsBefore = client.get().puts.get();
                    Position before = r.replicaPosition(db, "dir");
                    TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('commit " + i + "')");
                    long committed = System.nanoTime();
                    Position head = awaitMoved(r, db, before, Duration.ofSeconds(4));
                    awaitReplicaAt(r, db, head, committed + Duration.ofSeconds(4).toNanos(),
                            "commit " + i + " must reach the replica long before the sync interval (10 s) since the last upload ends");
                    assertThat(client.get().puts.get() - putsBefore).as("one segment: %s", client.get()).isEqualTo(1);
                }
            }
            Path restored = TestDatabases.restore(dir.resolve("replica"), dir.resolve("restored.db"));
            assertThat(TestDatabases.dump(restored)).isEqualTo(TestDatabases.dump(app));
        }
    }

    @Test
    void aSteadyWriterFallsBackToOneUploadPerSyncInterval() throws Exception {
        Duration sync = Duration.ofMillis(500);
        Path db = dir.resolve("steady.db");
        try (Connection app = TestDatabases.open(db)) {
            TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            try (Replicator r = start(db, Duration.ofSeconds(1), sync)) {
                awaitReplicated(r, db, Duration.ofSeconds(30));
                int putsBefore = client.get().puts.get();
                long started = System.nanoTime();
                int commits = 0;
                while (System.nanoTime() - started < Duration.ofSeconds(4).toNanos()) {
                    TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('row " + commits++ + "')");
                    Thread.sleep(20);
                }
                long wroteFor = System.nanoTime() - started;
                int puts = client.get().puts.get() - putsBefore;
                // The first uploads follow each other at a fifth of the interval until ten in a row found
                // commits waiting (sustained load: no pause of that long); then one per interval. Uploading
                // whenever the short gap allows would cost about 40.
                long most = wroteFor / sync.toNanos() + 2 + SUSTAINED_AFTER;
                assertThat(puts).as("%d commits in %d ms: %s", commits, wroteFor / 1_000_000, client.get())
                        .isPositive().isLessThanOrEqualTo((int) most);
                awaitReplicated(r, db, Duration.ofSeconds(30));
            }
            Path restored = TestDatabases.restore(dir.resolve("replica"), dir.resolve("restored.db"));
            assertThat(TestDatabases.dump(restored)).isEqualTo(TestDatabases.dump(app));
        }
    }

    private Replicator start(Path db, Duration monitor, Duration sync) {
        DatabaseConfig config = new DatabaseConfig(db, null, monitor, null, 1000, 10000,
                List.of(new ReplicaConfig("dir", new ReplicaStorage.File(dir.resolve("replica")), sync, null, null, null, null)));
        return EngineOptions.DEFAULT.withClients(rc -> {
            CountingClient c = new CountingClient(ReplicaClients.open(rc.storage()));
            client.set(c);
            return c;
        }).start(Replicator.configure().databases(List.of(config)).listener(ReplicationListener.NONE));
    }

    /** Waits (without asking for a sync, which would upload at once) until the replica holds everything copied. */
    private static void awaitReplicated(Replicator r, Path db, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Position head = r.position(db);
            if (head != null && head.equals(r.replicaPosition(db, "dir"))) return;
            if (System.nanoTime() > deadline) throw new AssertionError("the replica did not catch up within " + timeout);
            Thread.sleep(10);
        }
    }

    private static Position awaitMoved(Replicator r, Path db, Position before, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Position head = r.position(db);
            if (head != null && !head.equals(before)) return head;
            if (System.nanoTime() > deadline) throw new AssertionError("the commit was not copied within " + timeout);
            Thread.sleep(5);
        }
    }

    private static void awaitReplicaAt(Replicator r, Path db, Position head, long deadlineNanos, String why)
            throws InterruptedException {
        while (!head.equals(r.replicaPosition(db, "dir"))) {
            if (System.nanoTime() > deadlineNanos) {
                throw new AssertionError(why + ": the replica holds " + r.replicaPosition(db, "dir") + ", the shadow WAL " + head);
            }
            Thread.sleep(5);
        }
    }
}
