package dev.keel.fleet;

import dev.keel.fleet.DatabaseOutcome.Status;
import java.util.List;
import java.util.Map;

/**
 * The canary phase of a fleet migration: migrates the first databases that need it, a batch at a
 * time, until {@code count} of them are migrated and verified. A busy database is no evidence either
 * way, so the next one takes its place; a failed or refused one stops the run.
 */
final class Canaries {
    private final DatabaseTasks tasks;
    private final Workers workers;
    private final int count;
    private final int parallel;

    Canaries(DatabaseTasks tasks, Workers workers, int count, int parallel) {
        this.tasks = tasks;
        this.workers = workers;
        this.count = count;
        this.parallel = parallel;
    }

    /**
     * Runs canaries from the start of {@code pending}, recording their outcomes in {@code done};
     * returns why the run must stop, or null when the rest may follow.
     */
    String run(List<FleetDatabase> pending, Map<FleetDatabase, DatabaseOutcome> done) {
        int verified = 0;
        int next = 0;
        while (verified < count && next < pending.size()) {
            if (Thread.currentThread().isInterrupted()) return "the run was interrupted";
            int size = Math.min(Math.min(parallel, count - verified), pending.size() - next);
            List<FleetDatabase> batch = pending.subList(next, next + size);
            next += size;
            for (DatabaseOutcome o : workers.run("canary", batch, d -> tasks.migrate(d, true), o -> false, o -> null)) {
                done.put(o.database(), o);
                if (o.status() == Status.MIGRATED || o.status() == Status.UNCHANGED) verified++;
                else if (o.status() == Status.NOT_STARTED) return o.note();
                else if (o.status() != Status.BUSY) return "canary " + o.database() + " " + o.status().label() + "; the rest was not touched";
            }
        }
        return Thread.currentThread().isInterrupted() ? "the run was interrupted" : null;
    }
}
