package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes what a replica no longer needs, as Litestream 0.3 does: snapshots older than the retention
 * period (keeping the current generation restorable: if it has no snapshot inside the period, one is
 * taken first), WAL segments below a generation's oldest retained snapshot, and whole generations
 * with no retained snapshot.
 */
final class Retention {
    private Retention() {
    }

    static int enforce(Replica replica, DatabaseMonitor monitor, Duration retention) throws IOException, SQLException {
        Position head = monitor.position();
        if (head == null || replica.position() == null) return 0;
        Generation current = head.generation();
        Instant cutoff = Instant.now().minus(retention);
        ReplicaListing listing = ReplicaListing.read(replica.client(), null);

        Map<Generation, Long> oldestRetained = new HashMap<>();
        for (SnapshotInfo s : listing.snapshots()) {
            if (s.createdAt().isBefore(cutoff)) continue;
            oldestRetained.merge(s.generation(), s.index(), Math::min);
        }
        if (!oldestRetained.containsKey(current)) {
            Position at = replica.writeSnapshot();
            oldestRetained.merge(at.generation(), at.index(), Math::min);
        }
        // A generation the replica is still finishing is kept whole.
        Generation inProgress = replica.position() == null ? null : replica.position().generation();

        Set<Generation> generations = new LinkedHashSet<>();
        listing.snapshots().forEach(s -> generations.add(s.generation()));
        listing.segments().forEach(w -> generations.add(w.generation()));
        List<String> doomed = new ArrayList<>();
        for (Generation g : generations) {
            if (g.equals(inProgress) && !g.equals(current)) continue;
            Long min = oldestRetained.get(g);
            if (min == null && g.equals(current)) continue;
            for (SnapshotInfo s : listing.snapshots()) {
                if (s.generation().equals(g) && (min == null || s.index() < min)) doomed.add(s.key());
            }
            for (WalSegmentInfo w : listing.segments()) {
                if (w.generation().equals(g) && (min == null || w.index() < min)) doomed.add(w.key());
            }
        }
        if (!doomed.isEmpty()) replica.client().delete(doomed);
        return doomed.size();
    }
}
