package dev.keel.replication.internal;

import dev.keel.replication.api.Position;
import dev.keel.replication.cipher.AgeCipher;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's snapshot between being prepared and being stored, and its claim on the WAL index the
 * snapshot starts. A snapshot whose upload failed is kept for the next attempt: preparing one costs a
 * checkpoint and compressing the whole database, which a replica whose storage is down would otherwise
 * repeat every round. Callers hold the replica's lock.
 */
final class PendingSnapshot {
    /** The replica's logger: these lines are the replica's, and log settings name that class. */
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

    private final DatabaseMonitor monitor;
    private final ReplicaClient client;
    private final ReplicationListener listener;
    private final String replica;
    private final AgeCipher cipher;
    private volatile DatabaseMonitor.Snapshot prepared;
    private volatile Position claim;

    PendingSnapshot(DatabaseMonitor monitor, ReplicaClient client, ReplicationListener listener, String replica,
            AgeCipher cipher) {
        this.monitor = monitor;
        this.client = client;
        this.listener = listener;
        this.replica = replica;
        this.cipher = cipher;
    }

    /** The snapshot kept from a failed upload; null when there is none. */
    DatabaseMonitor.Snapshot kept() {
        return prepared;
    }

    /** The WAL index a snapshot being prepared, uploaded or kept starts; null when there is none. */
    Position claim() {
        return claim;
    }

    /** Keeps a snapshot whose upload failed, with the claim on its WAL index, for the next attempt. */
    void keep(DatabaseMonitor.Snapshot snapshot) {
        prepared = snapshot;
    }

    /**
     * The snapshot kept from a failed upload while it is still valid (same generation as the shadow WAL,
     * whose index it starts is still there: the replica's claim kept it), otherwise a new one
     * ({@code firstOfIndex}: see {@link DatabaseMonitor#snapshot}).
     */
    DatabaseMonitor.Snapshot take(boolean firstOfIndex) throws IOException, SQLException {
        DatabaseMonitor.Snapshot kept = prepared;
        prepared = null;
        if (kept != null) {
            Position at = kept.position();
            Position head = monitor.position();
            if (head != null && head.generation().equals(at.generation())
                    && monitor.shadow().length(at.generation(), at.index()) >= 0) {
                LOG.debug("{} -> {}: retrying the snapshot prepared at {}", monitor.path(), client.describe(), at);
                claim = at;
                return kept;
            }
            release(kept);
        }
        try {
            DatabaseMonitor.Snapshot fresh = monitor.snapshot(at -> claim = at, cipher, firstOfIndex);
            listener.snapshotPrepared(monitor.path(), replica, fresh.position());
            return fresh;
        } catch (IOException | SQLException | RuntimeException e) {
            claim = null;
            throw e;
        }
    }

    /** Deletes a snapshot's temp file and gives up the claim on its WAL index. */
    void release(DatabaseMonitor.Snapshot snapshot) {
        claim = null;
        try {
            snapshot.close();
        } catch (IOException e) {
            LOG.debug("{} -> {}: could not delete a snapshot's temp file", monitor.path(), client.describe(), e);
        }
    }

    /** Deletes the snapshot kept from a failed upload, if any. */
    void discard() {
        DatabaseMonitor.Snapshot kept = prepared;
        prepared = null;
        if (kept != null) release(kept);
    }

    /**
     * A replica without a position claims only the WAL after a snapshot it could not upload yet; past
     * the limit that snapshot is deleted too (the next attempt prepares a new one), so the claim never
     * holds more local WAL than the limit. Returns the backlog it had, or -1 when it was kept.
     */
    long dropOver(long maxBacklog, Position head) throws IOException {
        DatabaseMonitor.Snapshot kept = prepared;
        if (kept == null) return -1;
        long backlog = ShadowBacklog.bytes(monitor.shadow(), kept.position(), head);
        if (backlog <= maxBacklog) return -1;
        LOG.info("{} -> {}: the snapshot prepared at {} is {} bytes of WAL behind (limit {}); a new one is prepared "
                + "at the next attempt", monitor.path(), client.describe(), kept.position(), backlog, maxBacklog);
        prepared = null;
        release(kept);
        return backlog;
    }
}
