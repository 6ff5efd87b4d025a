package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Deletes shadow WAL every replica has uploaded, and generations no replica still reads, and says when
 * a cleanup that had to leave shadow WAL behind for a replica is due again.
 */
final class ShadowCleanup {
    private final ShadowWal shadow;
    private Supplier<Collection<Position>> replicaPositions = List::of;
    /** Replica positions at the last cleanup that left older shadow WAL behind; null when none was left. */
    private volatile List<Position> waitsFor;
    /** The last cleanup that completed; null before the first (which lists whatever an earlier run left). */
    private Done lastDone;

    /** What a cleanup kept: the current generation's indexes from {@code minIndex} on, and the generations in {@code keep}. */
    private record Done(Generation generation, long minIndex, Set<Generation> keep) {
    }

    ShadowCleanup(ShadowWal shadow) {
        this.shadow = shadow;
    }

    /** Where the replicas stand; the supplier returns null while some replica's position is still unknown. */
    void replicaPositions(Supplier<Collection<Position>> positions) {
        this.replicaPositions = positions;
    }

    /** Cleans up behind {@code state}, the shadow's current position (nothing while it is null). */
    void clean(ShadowState state) throws IOException {
        if (state == null) return;
        Collection<Position> positions = replicaPositions.get();
        if (positions == null) { // a replica has not found its position yet: keep everything
            waitsFor = List.of();
            return;
        }
        Set<Generation> keep = new HashSet<>();
        keep.add(state.generation());
        long minIndex = state.index();
        for (Position p : positions) {
            keep.add(p.generation());
            if (p.generation().equals(state.generation())) minIndex = Math.min(minIndex, p.index());
        }
        Done done = new Done(state.generation(), minIndex, keep);
        if (!done.equals(lastDone)) {
            // Only Keel adds to the shadow, and only at the current index or in a new generation: a cleanup
            // done for the same index and generations finds nothing new, so it costs no directory listing.
            shadow.deleteIndexesBelow(state.generation(), minIndex);
            shadow.deleteGenerationsExcept(keep);
            lastDone = done;
        }
        // Older shadow WAL left for a replica that is behind goes once it catches up, even when the
        // database is idle by then: the monitor's quiet check reports a change as soon as the replicas' positions move.
        waitsFor = minIndex < state.index() || keep.size() > 1 ? new ArrayList<>(positions) : null;
    }

    /** True when a cleanup left shadow WAL behind for replicas whose positions have moved since. */
    boolean due() {
        List<Position> waiting = waitsFor;
        if (waiting == null) return false;
        Collection<Position> now = replicaPositions.get();
        return now != null && !waiting.equals(new ArrayList<>(now));
    }
}
