package dev.keel.replication.restore;

import dev.keel.replication.api.Position;
import java.time.Duration;

/** What one poll of a {@link Follower} did. */
public sealed interface FollowStep {
    /** Where the copy is after the step. */
    Position position();

    /** The replica holds nothing newer than the copy. */
    record UpToDate(Position position) implements FollowStep {
    }

    /**
     * {@code transactions} more transactions from {@code segments} WAL segments are visible.
     * {@code lag}: from the upload of the newest segment applied (its storage timestamp) to now.
     */
    record Applied(Position from, Position position, int segments, long transactions, Duration lag) implements FollowStep {
    }

    /**
     * The copy was rebuilt from the replica's latest snapshot and WAL ({@code reason}: the first start,
     * a new generation, WAL the copy needs that the replica no longer holds, an interrupted apply). A
     * copy that existed was replaced by a rename: readers that had it open still see the old file.
     */
    record Restored(RestoreResult result, String reason, boolean replaced) implements FollowStep {
        @Override
        public Position position() {
            return result.position();
        }
    }
}
