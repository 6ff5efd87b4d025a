package dev.keel.fleet;

/**
 * Hears how a fleet operation advances (a progress bar implements it). Methods are called from
 * worker threads, one at a time per operation phase but not from one thread: implementations must be
 * safe for concurrent use. Every method has an empty default.
 */
public interface FleetListener {
    FleetListener NONE = new FleetListener() {
    };

    /** A phase begins: {@code "plan"}, {@code "canary"}, {@code "migrate"}, {@code "check"} or {@code "diff"}, over {@code total} databases. */
    default void phase(String name, int total) {
    }

    /** One database of the current phase is done; {@code done} of {@code total} are. */
    default void finished(DatabaseOutcome outcome, int done, int total) {
    }
}
