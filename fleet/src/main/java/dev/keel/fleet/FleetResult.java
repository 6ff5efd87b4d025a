package dev.keel.fleet;

import dev.keel.core.ErrorCode;
import dev.keel.fleet.DatabaseOutcome.Status;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a fleet operation found or did: one {@link DatabaseOutcome} per selected database in the
 * fleet's order, whether the run was refused before touching anything, why it stopped early if it
 * did, and how long it took.
 *
 * @param operation  which operation ran
 * @param databases  one outcome per database, in the fleet's order
 * @param refused    true when planning found refusals or failures and nothing was changed
 * @param stopReason why the run stopped before every database was reached (canary failure, --fail-fast, interruption), or null
 * @param dryRun     true when every migration was rolled back on purpose
 * @param elapsed    wall time of the whole run
 */
public record FleetResult(Operation operation, List<DatabaseOutcome> databases, boolean refused, String stopReason, boolean dryRun,
                          Duration elapsed) {
    /** The three fleet operations. */
    public enum Operation {
        MIGRATE, DIFF, CHECK
    }

    public FleetResult {
        Objects.requireNonNull(operation, "operation");
        databases = List.copyOf(databases);
        Objects.requireNonNull(elapsed, "elapsed");
    }

    public long count(Status status) {
        return databases.stream().filter(d -> d.status() == status).count();
    }

    /** The outcomes with {@code status}, in the fleet's order. */
    public List<DatabaseOutcome> with(Status status) {
        return databases.stream().filter(d -> d.status() == status).toList();
    }

    /**
     * The process exit status: 3 when the run was refused before touching anything, 1 when any
     * database failed, was busy, was refused while migrating or was not reached, 2 when a check found
     * differences, 0 otherwise.
     */
    public int exitStatus() {
        if (refused) return ErrorCode.REFUSED.exitStatus();
        boolean failures = databases.stream().anyMatch(d -> d.failed() || d.status() == Status.NOT_STARTED
                || (operation == Operation.MIGRATE && d.status() == Status.REFUSED));
        if (failures) return ErrorCode.FAILURE.exitStatus();
        if (operation == Operation.CHECK && count(Status.DIFFERS) > 0) return ErrorCode.DRIFT.exitStatus();
        return 0;
    }

    /** Refusals and failures grouped by identical cause, largest group first. */
    public List<OutcomeGroup> problems() {
        return OutcomeGroup.group(databases, OutcomeGroup::problems);
    }

    /** Databases that differ grouped by identical differences, then failures by cause (what {@code check} prints). */
    public List<OutcomeGroup> differences() {
        return OutcomeGroup.group(databases, OutcomeGroup::differences);
    }

    /** Databases grouped by identical plans, then refusals and failures by cause (what {@code diff} prints). */
    public List<OutcomeGroup> plans() {
        return OutcomeGroup.group(databases, OutcomeGroup::plans);
    }
}
