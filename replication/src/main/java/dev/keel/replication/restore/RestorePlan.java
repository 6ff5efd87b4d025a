package dev.keel.replication.restore;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import java.util.List;
import java.util.Objects;

/**
 * What a restore reads, in order: one snapshot, then WAL segments from the snapshot's index at offset
 * 0 through the target. {@code stopOffset} is -1, or the byte offset in the last segment's index at
 * which replay stops (a restore to an exact position).
 */
public record RestorePlan(String replica, Generation generation, SnapshotInfo snapshot, List<WalSegmentInfo> segments,
                          long stopOffset) {
    public RestorePlan {
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(snapshot, "snapshot");
        segments = List.copyOf(segments);
    }

    /** Compressed bytes the plan reads. */
    public long compressedBytes() {
        return snapshot.size() + segments.stream().mapToLong(WalSegmentInfo::size).sum();
    }

    /** The highest WAL index replayed; the snapshot's when no segment is. */
    public long lastIndex() {
        return segments.isEmpty() ? snapshot.index() : segments.get(segments.size() - 1).index();
    }
}
