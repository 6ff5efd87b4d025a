package dev.keel.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.HeldMemory;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databases beyond the descriptor budget are parked (no descriptor, no read transaction) and taken back
 * on their first write: a parked database written without a checkpoint continues its generation; one
 * that the application checkpointed (the WAL restarted or truncated) while Keel had let go of it starts
 * a new generation, and every replica still restores to its source.
 */
class ParkingTest {
    private static final int DATABASES = 5;
    private static final int BUDGET = 2;

    @TempDir
    Path dir;

    private final List<Connection> apps = new ArrayList<>();

    @AfterEach
    void closeApps() throws Exception {
        for (Connection c : apps) c.close();
    }

    @Test
    void aFleetBeyondTheBudgetHoldsOnlyTheBudget() throws Exception {
        List<DatabaseConfig> configs = fleet();
        try (Replicator r = start(configs)) {
            r.sync();
            r.sync();
            assertThat(r.holding().held()).isBetween(1, BUDGET); // a place is kept free for the next take-back
            assertThat(r.holding().parked()).isEqualTo(DATABASES - r.holding().held());
            assertThat(r.holding().budget()).isEqualTo(BUDGET);
        }
    }

    /**
     * Held memory bounds the databases held as the open-file limit does (each held database keeps a SQLite
     * connection, whose native memory no JVM option bounds): the others are parked, and a write to any of
     * them still reaches its replica.
     */
    @Test
    void aFleetBeyondTheHeldMemoryHoldsOnlyWhatItAllows() throws Exception {
        List<DatabaseConfig> configs = fleet();
        HeldMemory memory = new HeldMemory(BUDGET * HeldMemory.PER_HELD_DATABASE);
        try (Replicator r = Replicator.configure().databases(configs).backgroundLoops(false).heldMemory(memory).start()) {
            assertThat(r.holding().budget()).isEqualTo(BUDGET);
            r.sync();
            r.sync();
            assertThat(r.holding().held()).isBetween(1, BUDGET);
            assertThat(r.holding().parked()).isEqualTo(DATABASES - r.holding().held());
            for (int i = 0; i < DATABASES; i++) TestDatabases.exec(apps.get(i), "INSERT INTO t (v) VALUES ('later " + i + "')");
            for (int i = 0; i < 2 * DATABASES; i++) r.sync();
            assertThat(r.holding().held()).isBetween(1, BUDGET);
        }
        assertRestoresEqual(configs);
    }

    /**
     * A database beyond the budget at start is not opened then let go of at once (an open, Keel's tables
     * and SQLite's checkpoint on close, for nothing): it waits, unopened, for a place, and its first round
     * opens it once.
     */
    @Test
    void databasesBeyondTheBudgetAtStartAreOpenedOnlyWhenAPlaceIsFree() throws Exception {
        List<DatabaseConfig> configs = fleet();
        for (Connection c : apps) c.close();
        apps.clear();
        try (Replicator r = start(configs)) {
            int touched = 0;
            for (DatabaseConfig db : configs) {
                if (hasKeelTable(db.path())) touched++;
            }
            assertThat(touched).as("databases Keel opened at start").isEqualTo(BUDGET);
            assertThat(r.holding().held()).isEqualTo(BUDGET);
            assertThat(r.holding().parked()).isEqualTo(DATABASES - BUDGET);
            for (int i = 0; i < 2 * DATABASES && configs.stream().anyMatch(db -> r.position(db.path()) == null); i++) r.sync();
            for (DatabaseConfig db : configs) assertThat(r.position(db.path())).as("%s", db.path()).isNotNull();
        }
        assertRestoresEqual(configs);
    }

    /**
     * A replicator closed before its loops took the databases beyond the budget back: the final sync
     * runs without loops to free a place, so it parks a held database itself to snapshot each one.
     */
    @Test
    void aFinalSyncSnapshotsTheDatabasesBeyondTheBudgetThatNeverHadAPlace() throws Exception {
        List<DatabaseConfig> configs = fleet();
        Replicator r = start(configs);
        assertThat(r.holding().parked()).isEqualTo(DATABASES - BUDGET);
        r.close();
        assertRestoresEqual(configs);
    }

    private static boolean hasKeelTable(Path db) throws Exception {
        try (Connection c = TestDatabases.open(db); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_schema WHERE name = '_keel_seq'")) {
            return rs.next() && rs.getInt(1) > 0;
        }
    }

    @Test
    void aParkedDatabaseWrittenWithoutACheckpointContinuesItsGeneration() throws Exception {
        List<DatabaseConfig> configs = fleet();
        try (Replicator r = start(configs)) {
            r.sync();
            r.sync();
            for (DatabaseConfig db : configs) {
                Path path = db.path();
                Position before = r.position(path);
                long snapshots = snapshots(replica(db));
                TestDatabases.exec(apps.get(configs.indexOf(db)), "INSERT INTO t (v) VALUES ('written while parked')");
                r.sync();
                r.sync();
                Position after = r.position(path);
                assertThat(after.generation()).as("%s", path).isEqualTo(before.generation());
                assertThat(after.offset()).as("%s", path).isGreaterThan(before.offset());
                assertThat(snapshots(replica(db))).as("no new snapshot for %s", path).isEqualTo(snapshots);
                assertThat(r.holding().held()).isLessThanOrEqualTo(BUDGET);
            }
        }
        assertRestoresEqual(configs);
    }

    @Test
    void aParkedDatabaseCheckpointedByTheApplicationStartsANewGeneration() throws Exception {
        List<DatabaseConfig> configs = fleet();
        try (Replicator r = start(configs)) {
            r.sync();
            r.sync();
            int i = 0;
            int tested = 0;
            for (DatabaseConfig db : configs) {
                Path path = db.path();
                Position before = r.position(path);
                Connection app = apps.get(configs.indexOf(db));
                if (!r.parked(path)) continue; // held: Keel's read transaction would keep the checkpoint from restarting the WAL
                tested++;
                // Written, checkpointed and written again while Keel does not hold the database: the frames
                // of the first write reach the database file without passing through the shadow WAL.
                TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('lost to the WAL')",
                        "PRAGMA wal_checkpoint(" + (i++ % 2 == 0 ? "TRUNCATE" : "RESTART") + ")",
                        "INSERT INTO t (v) VALUES ('after the checkpoint')");
                r.sync();
                r.sync();
                assertThat(r.position(path).generation()).as("%s", path).isNotEqualTo(before.generation());
                assertThat(r.holding().held()).isLessThanOrEqualTo(BUDGET);
            }
            assertThat(tested).as("databases parked when written").isGreaterThanOrEqualTo(DATABASES - BUDGET);
        }
        assertRestoresEqual(configs);
    }

    @Test
    void aParkedDatabaseNobodyElseHadOpenStartsANewGenerationOnItsNextWrite() throws Exception {
        List<DatabaseConfig> configs = fleet();
        for (Connection c : apps) c.close();
        apps.clear();
        try (Replicator r = start(configs)) {
            r.sync();
            r.sync();
            for (DatabaseConfig db : configs) {
                Path path = db.path();
                if (!r.parked(path)) continue;
                Position before = r.position(path);
                // Keel's connection was the last one: closing it let SQLite checkpoint the WAL into the database.
                try (Connection app = TestDatabases.open(path)) {
                    TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('after Keel let go')");
                }
                r.sync();
                assertThat(r.position(path).generation()).as("%s", path).isNotEqualTo(before.generation());
            }
        }
        assertRestoresEqual(configs);
    }

    @Test
    void awaitReplicatedOnAParkedDatabaseTakesItBackAndShipsTheCommit() throws Exception {
        List<DatabaseConfig> configs = fleet();
        List<Path> parkedEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Replicator r = EngineOptions.DEFAULT.withHeldBudget(BUDGET).start(Replicator.configure().databases(configs)
                .listener(new dev.keel.replication.spi.ReplicationListener() {
                    @Override
                    public void databaseParked(Path db, boolean parked) {
                        if (parked) parkedEvents.add(db);
                    }
                }))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (r.holding().parked() < DATABASES - BUDGET && System.nanoTime() < deadline) Thread.sleep(20);
            int awaited = 0;
            for (DatabaseConfig db : configs) {
                if (!r.parked(db.path())) continue;
                awaited++;
                assertThat(parkedEvents).as("the listener heard it").contains(db.path());
                TestDatabases.exec(apps.get(configs.indexOf(db)), "INSERT INTO t (v) VALUES ('a payment')");
                r.awaitReplicated(db.path(), Duration.ofSeconds(30));
                Path restored = TestDatabases.restore(replica(db), dir.resolve("awaited-" + db.path().getFileName()));
                assertThat(TestDatabases.dump(restored)).as("%s", db.path()).isEqualTo(TestDatabases.dump(db.path()));
            }
            assertThat(awaited).as("parked databases waited on").isPositive();
        }
    }

    private void assertRestoresEqual(List<DatabaseConfig> configs) throws Exception {
        for (DatabaseConfig db : configs) {
            Path restored = TestDatabases.restore(replica(db), dir.resolve("restored-" + db.path().getFileName()));
            assertThat(TestDatabases.dump(restored)).as("%s", db.path()).isEqualTo(TestDatabases.dump(db.path()));
        }
    }

    private static Path replica(DatabaseConfig db) {
        return ((ReplicaStorage.File) db.replicas().get(0).storage()).root();
    }

    private static long snapshots(Path replica) throws Exception {
        try (Stream<Path> files = Files.walk(replica)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".snapshot.lz4")).count();
        }
    }

    /** The databases, each kept open by the application (so Keel's connection is never the last one). */
    private List<DatabaseConfig> fleet() throws Exception {
        List<DatabaseConfig> configs = new ArrayList<>();
        for (int i = 0; i < DATABASES; i++) {
            Path db = dir.resolve("tenant-" + i + ".db");
            Connection app = TestDatabases.open(db);
            TestDatabases.exec(app, "PRAGMA wal_autocheckpoint = 0", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t (v) VALUES ('row of " + i + "')");
            apps.add(app);
            configs.add(new DatabaseConfig(db, null, Duration.ofSeconds(1), null, 1000, 10000,
                    List.of(new ReplicaConfig("dir", new ReplicaStorage.File(dir.resolve("replica-" + i)), Duration.ofSeconds(1),
                            null, null, null, null))));
        }
        return configs;
    }

    private static Replicator start(List<DatabaseConfig> configs) {
        return EngineOptions.DEFAULT.withHeldBudget(BUDGET).start(Replicator.configure().databases(configs).backgroundLoops(false));
    }
}
