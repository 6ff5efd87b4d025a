package dev.keel.fleet;

import dev.keel.core.KeelException;
import dev.keel.schema.MigrationResult;
import java.util.List;
import java.util.Objects;

/**
 * What a fleet operation found or did for one database.
 *
 * @param database the database
 * @param status   what happened
 * @param result   the plan (diff, check, refusals) or the migration's result; null when it failed or did not start
 * @param failure  why it failed, was busy or refused when that was an error; null otherwise
 * @param note     why a database did not start (canary failure, --fail-fast, refusal, interruption); null otherwise
 * @param millis   time spent on this database
 * @param canary   true for the databases migrated and verified before the rest
 */
public record DatabaseOutcome(FleetDatabase database, Status status, MigrationResult result, KeelException failure, String note,
                              long millis, boolean canary) {
    /** The closed set of things that can happen to one database. */
    public enum Status {
        /** The plan was applied and committed (or rehearsed and rolled back with dry run). */
        MIGRATED,
        /** The database already matched the wanted schema. */
        UNCHANGED,
        /** The database differs from the wanted schema (check, diff, and planning before a migrate). */
        DIFFERS,
        /** Its plan would delete without --allow-deletions, or the linter found rows it would break. */
        REFUSED,
        /** Another connection held the write lock longer than the busy timeout. */
        BUSY,
        /** The operation failed; the database was rolled back (all or nothing). */
        FAILED,
        /** The run stopped before reaching this database (refusal, canary failure, --fail-fast, interruption). */
        NOT_STARTED;

        /** The lower-case name shown in reports and JSON. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    public DatabaseOutcome {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(status, "status");
    }

    static DatabaseOutcome notStarted(FleetDatabase database, String why) {
        return new DatabaseOutcome(database, Status.NOT_STARTED, null, null, why, 0, false);
    }

    /** How many statements the plan has (0 when there is no plan). */
    public int statements() {
        return result == null ? 0 : result.plan().steps().size();
    }

    /** What differs from the wanted schema, one line per change (empty without a plan). */
    public List<String> differences() {
        return result == null ? List.of() : result.plan().differences();
    }

    /** True for statuses that make a migrate or check exit with a failure. */
    public boolean failed() {
        return status == Status.FAILED || status == Status.BUSY;
    }
}
