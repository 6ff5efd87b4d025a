package dev.keel.replication.restore;

/**
 * Hears how a fleet restore progresses, e.g. to draw a progress bar. Called from worker threads;
 * must return quickly. Every method has an empty default.
 */
public interface FleetRestoreListener {
    FleetRestoreListener NONE = new FleetRestoreListener() {
    };

    /** {@code total} databases are about to be restored. */
    default void starting(int total) {
    }

    /** One more database is done ({@code done} of {@code total}). */
    default void finished(DatabaseRestoreOutcome outcome, int done, int total) {
    }
}
