package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.restore.ReplicaCatalog;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Applies retention to one replica: lists it once, takes a snapshot first when the current generation
 * would have none left, then deletes what {@link RetentionPlan} decides.
 */
final class Retention {
    private Retention() {
    }

    static int enforce(Replica replica, DatabaseMonitor monitor, Duration retention) throws IOException, SQLException {
        Position head = monitor.position();
        if (head == null || replica.position() == null) return 0;
        Generation current = head.generation();
        Instant now = Instant.now();
        ReplicaCatalog catalog = ReplicaCatalog.read(replica.client(), null);
        Position fresh = RetentionPlan.needsSnapshot(catalog, now, retention, current) ? replica.writeSnapshot() : null;
        // A generation the replica is still finishing is kept whole.
        Generation inProgress = replica.position() == null ? null : replica.position().generation();
        List<String> doomed = RetentionPlan.plan(catalog, now, retention, current, inProgress, fresh).keys();
        if (!doomed.isEmpty()) replica.client().delete(doomed);
        return doomed.size();
    }
}
