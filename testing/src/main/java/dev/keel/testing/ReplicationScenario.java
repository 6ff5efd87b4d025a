package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.Replicator;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The steps the backends' end-to-end tests share: a database config with short timings, a replicator
 * with its background loops on, waiting until a replica caught up, and a restore compared with the source.
 */
public final class ReplicationScenario {
    /** The replica's name in {@link #database}. */
    public static final String REPLICA = "remote";
    public static final Duration SYNC_INTERVAL = Duration.ofMillis(100);
    /** Small checkpoint thresholds, so a few seconds of writes span several WAL indexes. */
    public static final int MIN_CHECKPOINT_PAGES = 50;
    public static final int MAX_CHECKPOINT_PAGES = 400;

    private ReplicationScenario() {
    }

    /** One database with one replica: monitor and sync every 100 ms, checkpoints at 50 pages or every second. */
    public static DatabaseConfig database(Path db, ReplicaStorage storage) {
        return new DatabaseConfig(db, null, SYNC_INTERVAL, Duration.ofSeconds(1), MIN_CHECKPOINT_PAGES, MAX_CHECKPOINT_PAGES,
                List.of(new ReplicaConfig(REPLICA, storage, SYNC_INTERVAL, null, null, null, null)));
    }

    /** Starts replication of {@code config} with background loops on, through clients made by {@code clients}. */
    public static Replicator start(DatabaseConfig config, Function<ReplicaConfig, ReplicaClient> clients) {
        return EngineOptions.DEFAULT.withClients(clients).start(Replicator.configure().databases(List.of(config)));
    }

    /**
     * Waits until the replica acknowledged everything the shadow WAL holds, without calling sync itself:
     * proof that the background loops resumed on their own. Fails after {@code timeout}.
     */
    public static void awaitCaughtUp(Replicator r, Path db, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Position head = null;
        Position replica = null;
        while (System.nanoTime() < deadline) {
            head = r.position(db);
            replica = r.replicaPosition(db, REPLICA);
            if (head != null && head.equals(replica)) {
                Thread.sleep(3 * SYNC_INTERVAL.toMillis()); // the monitor may have copied more meanwhile
                if (head.equals(r.position(db)) && head.equals(r.replicaPosition(db, REPLICA))) return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("replica did not catch up within " + timeout + ": shadow WAL at " + head + ", replica at " + replica);
    }

    /** Waits (up to 30 s, for a loaded machine) until the replica acknowledged its first snapshot. */
    public static void awaitFirstSnapshot(Replicator r, Path db) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (r.replicaPosition(db, REPLICA) == null) {
            if (System.nanoTime() > deadline) throw new AssertionError("the replica has no snapshot after 30 s");
            Thread.sleep(50);
        }
    }

    /** Restores the replica's latest state with Keel into {@code out} and checks it holds exactly the source's rows. */
    public static void assertKeelRestoreEquals(ReplicaClient client, Path source, Path out) throws SQLException {
        Restorer.configure().from(client).output(out).restore();
        assertRestoredEquals(source, out);
    }

    /** The restored database passes integrity_check and holds exactly the source's rows. */
    public static void assertRestoredEquals(Path source, Path restored) throws SQLException {
        assertThat(WriterLoad.integrityCheck(restored)).isEqualTo("ok");
        List<String> expected = WriterLoad.rows(source);
        assertThat(expected).isNotEmpty();
        List<String> actual = WriterLoad.rows(restored);
        if (!actual.equals(expected)) {
            List<String> missing = new java.util.ArrayList<>(expected);
            missing.removeAll(actual);
            List<String> extra = new java.util.ArrayList<>(actual);
            extra.removeAll(expected);
            throw new AssertionError("restored " + actual.size() + " rows, the source has " + expected.size() + "; missing (id|writer|seq|body) "
                    + missing.subList(0, Math.min(20, missing.size())) + ", different or extra " + extra.subList(0, Math.min(20, extra.size())));
        }
    }

    /** What local storage did while a replica was unreachable. */
    public record OutageReport(long maxWalBytes, long maxLocalStateBytes, long maxShadowIndexFiles) {
        /** The most the real WAL may hold: the RESTART threshold plus what writers add while a checkpoint runs. */
        public static final long WAL_BOUND = 2L * MAX_CHECKPOINT_PAGES * (4096 + 24) + 32;

        @Override
        public String toString() {
            return String.format("real WAL at most %d bytes (bound %d), shadow WAL at most %d index files and %d bytes",
                    maxWalBytes, WAL_BOUND, maxShadowIndexFiles, maxLocalStateBytes);
        }
    }

    /**
     * Two writers run while {@code db} replicates through {@code clients}; after a second the server is
     * stopped for {@code outage} and started again. Checks that nothing was acknowledged while it was
     * down, that the replica then catches up by itself (no sync is called) past the outage, and that
     * the shadow WAL shrinks back to its current index. Returns what local storage did meanwhile.
     */
    public static OutageReport replicateThroughOutage(Path db, ReplicaStorage storage, Function<ReplicaConfig, ReplicaClient> clients,
                                                      Runnable stopServer, Runnable startServer, Duration outage) throws Exception {
        WriterLoad.create(db);
        long maxWal = 0;
        long maxLocal = 0;
        long maxShadow = 0;
        try (Replicator r = start(database(db, storage), clients)) {
            Position beforeOutage;
            try (WriterLoad writers = WriterLoad.start(db, 2, Duration.ofMillis(4), 7)) {
                awaitFirstSnapshot(r, db);
                Thread.sleep(1000);
                stopServer.run();
                try {
                    Thread.sleep(300); // an upload that was under way when the server stopped fails or ends
                    beforeOutage = r.replicaPosition(db, REPLICA);
                    long end = System.nanoTime() + outage.toNanos();
                    while (System.nanoTime() < end) {
                        maxWal = Math.max(maxWal, walBytes(db));
                        maxLocal = Math.max(maxLocal, localStateBytes(db));
                        maxShadow = Math.max(maxShadow, shadowIndexFiles(db));
                        Thread.sleep(100);
                    }
                    assertThat(r.replicaPosition(db, REPLICA)).as("nothing acknowledged while down").isEqualTo(beforeOutage);
                } finally {
                    startServer.run();
                }
                Thread.sleep(1000);
            }
            awaitCaughtUp(r, db, Duration.ofSeconds(40));
            assertThat(shadowIndexFiles(db)).as("shadow WAL after catching up: only the current index").isEqualTo(1);
            assertThat(r.replicaPosition(db, REPLICA).index()).isGreaterThan(beforeOutage.index());
        }
        OutageReport report = new OutageReport(maxWal, maxLocal, maxShadow);
        System.out.println("outage of " + outage + ": " + report);
        assertThat(maxWal).as("real WAL during the outage").isLessThanOrEqualTo(OutageReport.WAL_BOUND);
        assertThat(maxShadow).as("checkpoints went on while the replica was down").isGreaterThan(1);
        return report;
    }

    /**
     * Replication started while the storage server is down (it is restarting when Keel starts): the start
     * must succeed and keep the writes in the shadow WAL, and once the server is back the replica catches
     * up by itself. A start that refused instead left the application running with nothing replicated, and
     * a later restore found no backup at all.
     */
    public static void startDuringOutage(Path db, ReplicaStorage storage, Function<ReplicaConfig, ReplicaClient> clients,
                                         Runnable stopServer, Runnable startServer) throws Exception {
        WriterLoad.create(db);
        stopServer.run();
        try (Replicator r = start(database(db, storage), clients)) {
            try (WriterLoad writers = WriterLoad.start(db, 2, Duration.ofMillis(5), 13)) {
                Thread.sleep(1000);
                assertThat(r.replicaPosition(db, REPLICA)).as("nothing acknowledged while the server is down").isNull();
                startServer.run();
                Thread.sleep(500);
            }
            awaitCaughtUp(r, db, Duration.ofSeconds(40));
        }
    }

    /**
     * Two writers run while {@code db} replicates through {@code clients}; {@code fault} starts, lasts
     * three seconds, and {@code heal} ends it. The replica must then catch up by itself.
     */
    public static void replicateThroughFault(Path db, ReplicaStorage storage, Function<ReplicaConfig, ReplicaClient> clients,
                                             Runnable fault, Runnable heal) throws Exception {
        WriterLoad.create(db);
        try (Replicator r = start(database(db, storage), clients)) {
            try (WriterLoad writers = WriterLoad.start(db, 2, Duration.ofMillis(5), 11)) {
                Thread.sleep(700);
                fault.run();
                Thread.sleep(3000);
                heal.run();
                Thread.sleep(700);
            }
            awaitCaughtUp(r, db, Duration.ofSeconds(40));
        }
    }

    /**
     * A storage that loses the WAL segment it acknowledged last while it is down (a server killed before
     * it made the write durable), driven step by step (no background loops): writes, a segment
     * acknowledged, the storage down, the segment deleted on the real storage, the storage back, more
     * writes, a stop. Returns what was lost and the generations before and after; the caller restores
     * and compares with the source (before Keel checked for such a loss the restore refused the gap).
     */
    public static LostWrite replicateThroughLostWrite(Path db, ReplicaStorage storage, Function<ReplicaConfig, ReplicaClient> clients)
            throws Exception {
        WriterLoad.create(db);
        FaultyReplicaClient[] faulty = new FaultyReplicaClient[1];
        String lost;
        Position before;
        Position after;
        try (java.sql.Connection app = WriterLoad.open(db);
             Replicator r = EngineOptions.DEFAULT.withClients(c -> faulty[0] = new FaultyReplicaClient(clients.apply(c)))
                     .start(Replicator.configure().databases(List.of(database(db, storage))).backgroundLoops(false))) {
            insert(app, 0, 50);
            r.sync();
            insert(app, 1, 20);
            r.sync(); // a WAL segment the storage acknowledged
            before = r.replicaPosition(db, REPLICA);
            faulty[0].offline(true);
            insert(app, 2, 20);
            org.assertj.core.api.Assertions.assertThatThrownBy(r::sync).as("a sync while the storage is down").isNotNull();
            lost = faulty[0].loseLastWrite();
            assertThat(lost).as("the object the storage loses").contains("/wal/");
            faulty[0].heal();
            insert(app, 3, 20);
            for (int i = 0; i < 5 && !r.position(db).equals(r.replicaPosition(db, REPLICA)); i++) r.sync();
            after = r.replicaPosition(db, REPLICA);
            assertThat(after).as("caught up after the outage").isEqualTo(r.position(db));
        }
        return new LostWrite(lost, before, after);
    }

    /** The key a storage lost, and what the replica held before the outage and at the end. */
    public record LostWrite(String key, Position before, Position after) {
    }

    private static void insert(java.sql.Connection app, int writer, int rows) throws SQLException {
        try (var insert = app.prepareStatement("INSERT INTO events (writer, seq, body) VALUES (?, ?, randomblob(200))")) {
            for (int i = 0; i < rows; i++) {
                insert.setInt(1, writer);
                insert.setInt(2, i);
                insert.executeUpdate();
            }
        }
    }

    /** Bytes under Keel's local state directory for {@code db} (shadow WAL and temp files). */
    public static long localStateBytes(Path db) throws IOException {
        long[] total = new long[1];
        visitLocalState(db, (file, size) -> total[0] += size);
        return total[0];
    }

    /** Shadow WAL index files Keel keeps for {@code db} (all generations). */
    public static long shadowIndexFiles(Path db) throws IOException {
        long[] count = new long[1];
        visitLocalState(db, (file, size) -> {
            if (file.getFileName().toString().matches("[0-9a-f]{8}\\.wal")) count[0]++;
        });
        return count[0];
    }

    /** Walks Keel's local state while the replicator runs: files it deletes or renames meanwhile are skipped. */
    private static void visitLocalState(Path db, java.util.function.ObjLongConsumer<Path> visitor) throws IOException {
        Path meta = DatabaseConfig.of(db, List.of()).resolvedMetaPath();
        if (!Files.exists(meta)) return;
        Files.walkFileTree(meta, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) visitor.accept(file, attrs.size());
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof java.nio.file.NoSuchFileException) return java.nio.file.FileVisitResult.CONTINUE;
                throw e;
            }
        });
    }

    /** Size of the database's real WAL file; 0 when there is none. */
    public static long walBytes(Path db) {
        return Path.of(db + "-wal").toFile().length();
    }
}
