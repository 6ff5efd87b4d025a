package dev.keel.replication.restore;

import dev.keel.core.KeelException;

/**
 * Hears what a {@link Follower} does, to log it or export metrics. Called on the follower's thread;
 * methods must return quickly; every method has an empty default.
 */
public interface FollowListener {
    FollowListener NONE = new FollowListener() {
    };

    /** The copy was (re)built from a snapshot, for {@code reason}; readers of a replaced copy must reopen it. */
    default void restored(FollowStep.Restored step) {
    }

    /** New transactions are visible in the copy. */
    default void applied(FollowStep.Applied step) {
    }

    /** A poll failed (storage unreachable, a damaged segment); the follower tries again after {@code retryInMillis}. */
    default void failed(KeelException error, long retryInMillis) {
    }
}
