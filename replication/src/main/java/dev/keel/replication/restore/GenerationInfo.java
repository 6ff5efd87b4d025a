package dev.keel.replication.restore;

import dev.keel.replication.api.Generation;
import java.time.Instant;
import java.util.Objects;

/**
 * What a replica holds of one generation: its time span (oldest and newest object timestamp) and how
 * many snapshots and WAL segments it has. A generation without a snapshot is listed with the span of
 * its WAL but cannot be restored; {@code createdAt}/{@code updatedAt} are null only when it holds nothing.
 */
public record GenerationInfo(Generation generation, Instant createdAt, Instant updatedAt, int snapshotCount,
                             int walSegmentCount) {
    public GenerationInfo {
        Objects.requireNonNull(generation, "generation");
    }

    /** True when a restore can start from this generation (it has at least one snapshot). */
    public boolean restorable() {
        return snapshotCount > 0;
    }
}
