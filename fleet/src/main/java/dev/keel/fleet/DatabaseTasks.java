package dev.keel.fleet;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.fleet.DatabaseOutcome.Status;
import dev.keel.schema.MigrationResult;
import dev.keel.schema.Migrator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * What a fleet operation does to one database, each a call to {@link Migrator} with the fleet's
 * shared settings and schema, turned into a {@link DatabaseOutcome}: never throws, so one database's
 * failure is a value the run decides about.
 */
final class DatabaseTasks {
    private final Migrator template;
    private final boolean allowDeletions;
    private final boolean dryRun;
    private final boolean scripts;

    DatabaseTasks(Migrator template, boolean allowDeletions, boolean dryRun, boolean scripts) {
        this.template = template;
        this.allowDeletions = allowDeletions;
        this.dryRun = dryRun;
        this.scripts = scripts;
    }

    /** True when pre or post SQL was given: then every database is migrated, as keel migrate runs them even without a plan. */
    boolean hasScripts() {
        return scripts;
    }

    /** Plans and lints without changing anything (keel diff): DIFFERS, UNCHANGED or REFUSED. */
    DatabaseOutcome plan(FleetDatabase db) {
        long start = System.nanoTime();
        try {
            MigrationResult r = template.forDatabase(db.path()).diff();
            Status status = refuses(r) ? Status.REFUSED : r.upToDate() ? Status.UNCHANGED : Status.DIFFERS;
            return new DatabaseOutcome(db, status, r, null, null, millisSince(start), false);
        } catch (RuntimeException e) {
            return failed(db, e, start, false);
        }
    }

    /** Compares only (keel check): UNCHANGED or DIFFERS. */
    DatabaseOutcome check(FleetDatabase db) {
        long start = System.nanoTime();
        try {
            MigrationResult r = template.forDatabase(db.path()).check();
            return new DatabaseOutcome(db, r.upToDate() ? Status.UNCHANGED : Status.DIFFERS, r, null, null, millisSince(start), false);
        } catch (RuntimeException e) {
            return failed(db, e, start, false);
        }
    }

    /**
     * Migrates (keel migrate: its own transaction, re-planned inside it, all or nothing). A canary is
     * then checked again: it must match the wanted schema and pass {@code PRAGMA integrity_check}.
     */
    DatabaseOutcome migrate(FleetDatabase db, boolean canary) {
        long start = System.nanoTime();
        MigrationResult r;
        try {
            r = template.forDatabase(db.path()).migrate();
        } catch (RuntimeException e) {
            return failed(db, e, start, canary);
        }
        Status status = r.upToDate() ? Status.UNCHANGED : Status.MIGRATED;
        if (canary && !dryRun) {
            KeelException problem = verify(db);
            if (problem != null) return new DatabaseOutcome(db, Status.FAILED, r, problem, null, millisSince(start), true);
        }
        return new DatabaseOutcome(db, status, r, null, null, millisSince(start), canary);
    }

    private boolean refuses(MigrationResult r) {
        return !r.findings().isEmpty() || (!allowDeletions && !r.deletions().isEmpty());
    }

    /** A canary's check after its migration committed; null when it passed. */
    private KeelException verify(FleetDatabase db) {
        String hint = "the canary was migrated and committed, the other databases were not touched; inspect it "
                + "('keel check', 'sqlite3 DB \"PRAGMA integrity_check\"') before migrating the rest";
        try {
            MigrationResult again = template.forDatabase(db.path()).check();
            if (!again.upToDate()) {
                return new KeelException(ErrorCode.FAILURE, "canary check failed: after migrating, the database still differs: "
                        + String.join("; ", again.plan().differences()), db.name(), hint);
            }
            List<String> problems = integrityCheck(db);
            if (!problems.isEmpty()) {
                return new KeelException(ErrorCode.FAILURE, "canary check failed: PRAGMA integrity_check reports "
                        + String.join("; ", problems), db.name(), hint);
            }
            return null;
        } catch (KeelException e) {
            return new KeelException(e.code(), "canary check failed: " + e.getMessage(), db.name(), hint, e);
        }
    }

    private static List<String> integrityCheck(FleetDatabase db) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(5_000);
        List<String> out = new ArrayList<>();
        try (Connection c = config.createConnection("jdbc:sqlite:" + db.path());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check(20)")) {
            while (rs.next()) {
                String line = rs.getString(1);
                if (!"ok".equals(line)) out.add(line);
            }
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.IO, "cannot run PRAGMA integrity_check: " + e.getMessage(), db.name(), null, e);
        }
        return out;
    }

    private static DatabaseOutcome failed(FleetDatabase db, RuntimeException e, long start, boolean canary) {
        KeelException k = e instanceof KeelException ke ? ke
                : new KeelException(ErrorCode.FAILURE, e.getClass().getSimpleName() + ": " + e.getMessage(), db.name(),
                        "this is probably a bug in keel; report it with the database's schema", e);
        Status status = isBusy(k) ? Status.BUSY : k.code() == ErrorCode.REFUSED ? Status.REFUSED : Status.FAILED;
        return new DatabaseOutcome(db, status, null, k, null, millisSince(start), canary);
    }

    /** SQLITE_BUSY or SQLITE_LOCKED somewhere in the causes: another connection held the lock past the busy timeout. */
    static boolean isBusy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException se) {
                SQLiteErrorCode code = se.getResultCode();
                if (code != null && (code.name().startsWith("SQLITE_BUSY") || code.name().startsWith("SQLITE_LOCKED"))) return true;
            }
            if (t.getCause() == t) break;
        }
        return false;
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
