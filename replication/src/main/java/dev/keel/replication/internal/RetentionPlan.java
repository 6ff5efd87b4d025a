package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.restore.ReplicaCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What retention removes from a replica, decided from its catalog alone, as Litestream 0.3 decides it:
 * snapshots older than the retention period, WAL segments below a generation's oldest retained
 * snapshot, and whole generations with no retained snapshot. The current generation always stays
 * restorable: when it has no snapshot inside the period, {@link #needsSnapshot} says so and the engine
 * takes one before it plans. A pure function: no storage, no clock.
 *
 * @param keys the objects to delete, in catalog order
 */
record RetentionPlan(List<String> keys) {
    RetentionPlan {
        keys = List.copyOf(keys);
    }

    /** True when the current generation has no snapshot inside the retention period. */
    static boolean needsSnapshot(ReplicaCatalog catalog, Instant now, Duration retention, Generation current) {
        return !oldestRetained(catalog, now.minus(retention), null).containsKey(current);
    }

    /**
     * The keys to delete. {@code current}: the database's generation; {@code inProgress}: the generation
     * the replica is still uploading (kept whole when it is an older one); {@code freshSnapshot}: a
     * snapshot written after the catalog was listed (null for none), which counts as retained.
     */
    static RetentionPlan plan(ReplicaCatalog catalog, Instant now, Duration retention, Generation current,
                              Generation inProgress, Position freshSnapshot) {
        Objects.requireNonNull(current, "current");
        Map<Generation, Long> oldest = oldestRetained(catalog, now.minus(retention), freshSnapshot);
        List<String> doomed = new ArrayList<>();
        for (Generation g : catalog.generations()) {
            if (g.equals(inProgress) && !g.equals(current)) continue;
            Long min = oldest.get(g);
            if (min == null && g.equals(current)) continue;
            for (SnapshotInfo s : catalog.snapshots(g)) {
                if (min == null || s.index() < min) doomed.add(s.key());
            }
            for (WalSegmentInfo w : catalog.walSegments(g)) {
                if (min == null || w.index() < min) doomed.add(w.key());
            }
        }
        return new RetentionPlan(doomed);
    }

    /** Per generation, the lowest index of a snapshot made at or after {@code cutoff}. */
    private static Map<Generation, Long> oldestRetained(ReplicaCatalog catalog, Instant cutoff, Position freshSnapshot) {
        Map<Generation, Long> oldest = new HashMap<>();
        for (SnapshotInfo s : catalog.snapshots()) {
            if (!s.createdAt().isBefore(cutoff)) oldest.merge(s.generation(), s.index(), Math::min);
        }
        if (freshSnapshot != null) oldest.merge(freshSnapshot.generation(), freshSnapshot.index(), Math::min);
        return oldest;
    }
}
