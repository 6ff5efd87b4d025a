package dev.keel.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.fleet.DatabaseOutcome.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Fleet migrations on real SQLite files: plan first, canary, fail-fast, busy databases, reruns. */
@Timeout(60)
class FleetMigratorTest {
    @TempDir
    Path dir;
    Path tenants;
    List<Path> dbs;

    @BeforeEach
    void fleet() throws Exception {
        tenants = Files.createDirectory(dir.resolve("tenants"));
        dbs = Tenants.create(tenants, 12);
    }

    FleetMigrator.Builder migrator(String schema) throws Exception {
        FleetSelection fleet = FleetSelection.builder().directory(DatabaseDirectory.of(tenants)).build();
        return FleetMigrator.configure().selection(fleet).schema(Tenants.schema(dir, schema)).parallel(3);
    }

    @Test
    void migratesEveryDatabaseAndASecondRunFindsThemUnchanged() throws Exception {
        FleetResult first = migrator(Tenants.WANTED).load().migrate();
        assertThat(first.exitStatus()).as(first.toString()).isZero();
        assertThat(first.count(Status.MIGRATED)).isEqualTo(12);
        assertThat(first.databases().get(0).canary()).isTrue();
        assertThat(first.databases().get(0).statements()).isGreaterThan(3);
        for (Path db : dbs) assertThat(Tenants.priceType(db)).isEqualTo("REAL");
        assertThat(Tenants.rows(dbs.get(11))).isEqualTo(12);

        FleetResult again = migrator(Tenants.WANTED).load().migrate();
        assertThat(again.count(Status.UNCHANGED)).isEqualTo(12);
        assertThat(again.exitStatus()).isZero();
        assertThat(migrator(Tenants.WANTED).load().check().exitStatus()).isZero();
    }

    @Test
    void aLintFindingOnEveryDatabaseRefusesTheRunAsOneGroupAndChangesNothing() throws Exception {
        FleetResult r = migrator(Tenants.NOT_NULL_WITHOUT_DEFAULT).load().migrate();
        assertThat(r.refused()).isTrue();
        assertThat(r.exitStatus()).isEqualTo(3);
        assertThat(r.count(Status.REFUSED)).isEqualTo(12);
        List<OutcomeGroup> groups = r.problems();
        assertThat(groups).as("12 databases with 12 different row counts share one cause").hasSize(1);
        assertThat(groups.get(0).size()).isEqualTo(12);
        assertThat(groups.get(0).cause()).contains("items.sku").contains("N rows").doesNotContain("12 rows");
        assertThat(groups.get(0).hint()).contains("DEFAULT");
        for (Path db : dbs) assertThat(Tenants.priceType(db)).isEqualTo("INTEGER");
    }

    @Test
    void oneRefusedDatabaseRefusesTheWholeRunAndOthersAreNotTouched() throws Exception {
        // only tenant-005 holds a duplicate name, which the new UNIQUE index would reject
        Tenants.execute(dbs.get(5), "INSERT INTO items (name, price) VALUES ('item 0', 1)");
        FleetResult r = migrator(Tenants.WANTED.replace("CREATE INDEX", "CREATE UNIQUE INDEX")).load().migrate();
        assertThat(r.exitStatus()).isEqualTo(3);
        assertThat(r.with(Status.REFUSED)).extracting(o -> o.database().path()).containsExactly(dbs.get(5));
        assertThat(r.count(Status.NOT_STARTED)).isEqualTo(11);
        assertThat(r.problems()).hasSize(1);
        for (Path db : dbs) assertThat(Tenants.priceType(db)).isEqualTo("INTEGER");
    }

    @Test
    void deletionsWithoutTheFlagAreGroupedAndAllowedWithIt() throws Exception {
        FleetResult refused = migrator(Tenants.DROPS_PRICE).load().migrate();
        assertThat(refused.exitStatus()).isEqualTo(3);
        assertThat(refused.problems()).singleElement().satisfies(g -> {
            assertThat(g.size()).isEqualTo(12);
            assertThat(g.cause()).contains("items.price").contains("--allow-deletions");
        });
        FleetResult allowed = migrator(Tenants.DROPS_PRICE).allowDeletions(true).load().migrate();
        assertThat(allowed.exitStatus()).isZero();
        assertThat(Tenants.priceType(dbs.get(3))).isNull();
    }

    @Test
    void aFailingCanaryStopsTheRunBeforeAnyOtherDatabase() throws Exception {
        Tenants.poison(dbs.get(0));
        Path post = Files.writeString(dir.resolve("post.sql"), Tenants.POISON_POST);
        FleetResult r = migrator(Tenants.WANTED).post(post).load().migrate();
        assertThat(r.exitStatus()).isEqualTo(1);
        DatabaseOutcome canary = r.databases().get(0);
        assertThat(canary.canary()).isTrue();
        assertThat(canary.status()).isEqualTo(Status.FAILED);
        assertThat(canary.failure().getMessage()).contains("NOT NULL");
        assertThat(r.count(Status.NOT_STARTED)).isEqualTo(11);
        assertThat(r.stopReason()).contains("canary").contains("tenant-000.db");
        for (Path db : dbs) assertThat(Tenants.priceType(db)).as(db.toString()).isEqualTo("INTEGER");
    }

    @Test
    void afterTheCanaryAFailureDoesNotStopTheOthers() throws Exception {
        Tenants.poison(dbs.get(6));
        Path post = Files.writeString(dir.resolve("post.sql"), Tenants.POISON_POST);
        FleetResult r = migrator(Tenants.WANTED).post(post).load().migrate();
        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(r.with(Status.FAILED)).extracting(o -> o.database().path()).containsExactly(dbs.get(6));
        assertThat(r.count(Status.MIGRATED)).isEqualTo(11);
        assertThat(Tenants.priceType(dbs.get(6))).as("all or nothing").isEqualTo("INTEGER");
        assertThat(Tenants.priceType(dbs.get(11))).isEqualTo("REAL");
    }

    @Test
    void failFastStartsNoDatabaseAfterTheFirstFailure() throws Exception {
        Tenants.poison(dbs.get(6));
        Path post = Files.writeString(dir.resolve("post.sql"), Tenants.POISON_POST);
        FleetResult r = migrator(Tenants.WANTED).post(post).parallel(1).failFast(true).load().migrate();
        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(r.databases().get(6).status()).isEqualTo(Status.FAILED);
        assertThat(r.databases().subList(0, 6)).allMatch(o -> o.status() == Status.MIGRATED);
        assertThat(r.databases().subList(7, 12)).allMatch(o -> o.status() == Status.NOT_STARTED && o.note().contains("--fail-fast"));
        assertThat(Tenants.priceType(dbs.get(7))).isEqualTo("INTEGER");
    }

    @Test
    void aRerunAfterAnInterruptionFindsTheMigratedOnesUnchangedAndFinishesTheRest() throws Exception {
        Thread caller = Thread.currentThread();
        AtomicInteger finished = new AtomicInteger();
        FleetListener interruptAfterFour = new FleetListener() {
            @Override
            public void finished(DatabaseOutcome outcome, int done, int total) {
                if (outcome.status() == Status.MIGRATED && finished.incrementAndGet() == 4) caller.interrupt();
            }
        };
        FleetResult first;
        try {
            first = migrator(Tenants.WANTED).parallel(1).listener(interruptAfterFour).load().migrate();
        } finally {
            Thread.interrupted(); // clear the flag for the rest of the test
        }
        assertThat(first.exitStatus()).isEqualTo(1);
        // the database a worker took before the caller saw the interruption still finishes
        assertThat(first.count(Status.MIGRATED)).isBetween(4L, 5L);
        assertThat(first.count(Status.NOT_STARTED)).isEqualTo(12 - first.count(Status.MIGRATED));
        assertThat(first.stopReason()).contains("interrupted");
        long migrated = dbs.stream().filter(db -> type(db).equals("REAL")).count();
        assertThat(migrated).isEqualTo(first.count(Status.MIGRATED));
        for (Path db : dbs) assertThat(type(db)).isIn("INTEGER", "REAL");

        FleetResult rerun = migrator(Tenants.WANTED).load().migrate();
        assertThat(rerun.exitStatus()).isZero();
        assertThat(rerun.count(Status.UNCHANGED)).isEqualTo(migrated);
        assertThat(rerun.count(Status.MIGRATED)).isEqualTo(12 - migrated);
    }

    @Test
    void aDatabaseWhoseApplicationHoldsTheWriteLockIsReportedBusyAndTheOthersAreMigrated() throws Exception {
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + dbs.get(4)); Statement st = app.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            st.execute("INSERT INTO items (name, price) VALUES ('open transaction', 1)");
            long start = System.nanoTime();
            FleetResult r = migrator(Tenants.WANTED).busyTimeout(Duration.ofMillis(300)).load().migrate();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            assertThat(r.exitStatus()).isEqualTo(1);
            DatabaseOutcome busy = r.databases().get(4);
            assertThat(busy.status()).isEqualTo(Status.BUSY);
            assertThat(busy.failure().getMessage()).contains("locked");
            assertThat(busy.failure().hint()).isNotBlank();
            assertThat(r.count(Status.MIGRATED)).isEqualTo(11);
            st.execute("COMMIT");
        }
        FleetResult rerun = migrator(Tenants.WANTED).load().migrate();
        assertThat(rerun.databases().get(4).status()).isEqualTo(Status.MIGRATED);
        assertThat(rerun.count(Status.UNCHANGED)).isEqualTo(11);
    }

    @Test
    void aDatabaseChangedBetweenPlanningAndMigratingIsPlannedAgain() throws Exception {
        // after planning, tenant-003 gets the wanted index by hand and tenant-008 a new column the schema lacks:
        // the plans made before would fail (index exists) or leave drift behind; Migrator plans again inside its transaction
        FleetListener changeAfterPlanning = new FleetListener() {
            @Override
            public void phase(String name, int total) {
                if (!name.equals("canary")) return;
                try {
                    Tenants.execute(dbs.get(3), "CREATE INDEX items_name ON items(name)");
                    Tenants.execute(dbs.get(8), "ALTER TABLE items ADD COLUMN extra TEXT");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        FleetResult r = migrator(Tenants.WANTED).allowDeletions(true).listener(changeAfterPlanning).load().migrate();
        assertThat(r.exitStatus()).as(r.problems().toString()).isZero();
        assertThat(r.count(Status.MIGRATED)).isEqualTo(12);
        assertThat(migrator(Tenants.WANTED).load().check().exitStatus()).isZero();
    }

    @Test
    void checkGroupsDatabasesByTheirDifferencesAndExitsWithDrift() throws Exception {
        Tenants.execute(dbs.get(2), "ALTER TABLE items ADD COLUMN extra TEXT");
        FleetResult r = migrator(Tenants.CURRENT + ";\n").load().check();
        assertThat(r.exitStatus()).isEqualTo(2);
        assertThat(r.count(Status.UNCHANGED)).isEqualTo(11);
        assertThat(r.differences()).singleElement().satisfies(g -> assertThat(g.cause()).contains("extra"));

        FleetResult all = migrator(Tenants.WANTED).load().check();
        assertThat(all.differences()).hasSize(2).extracting(OutcomeGroup::size).containsExactly(11, 1);
        FleetResult diff = migrator(Tenants.WANTED).load().diff();
        assertThat(diff.exitStatus()).isZero();
        // 11 share one plan; tenant-002's plan also drops 'extra', which is a refusal cause of its own
        assertThat(diff.plans()).extracting(OutcomeGroup::size).containsExactly(11, 1, 1);
        assertThat(diff.plans().get(0).cause()).contains("CREATE INDEX items_name");
        assertThat(diff.plans()).anySatisfy(g -> assertThat(g.cause()).contains("items.extra").contains("--allow-deletions"));
        assertThat(diff.with(Status.REFUSED)).extracting(o -> o.database().path()).containsExactly(dbs.get(2));
        for (Path db : dbs) assertThat(Tenants.priceType(db)).isEqualTo("INTEGER");
    }

    private static String type(Path db) {
        try {
            return Tenants.priceType(db);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
