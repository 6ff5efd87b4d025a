package dev.keel.replication.spi;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Several listeners heard as one (a process that serves metrics and pings a heartbeat): each event
 * goes to every listener in order, and one that throws does not keep the event from the others.
 */
public final class ReplicationListeners implements ReplicationListener {
    private final List<ReplicationListener> listeners;

    private ReplicationListeners(List<ReplicationListener> listeners) {
        this.listeners = listeners;
    }

    /** The listeners as one; {@link ReplicationListener#NONE} for none, the listener itself for one. */
    public static ReplicationListener of(List<ReplicationListener> all) {
        List<ReplicationListener> real = new ArrayList<>();
        for (ReplicationListener l : all) {
            if (l != null && l != NONE) real.add(l);
        }
        if (real.isEmpty()) return NONE;
        if (real.size() == 1) return real.get(0);
        return new ReplicationListeners(List.copyOf(real));
    }

    private void each(Consumer<ReplicationListener> event) {
        for (ReplicationListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException ignored) {
                // a listener must not stop replication, nor the listeners after it
            }
        }
    }

    @Override
    public void generationStarted(Path db, Generation generation, String reason) {
        each(l -> l.generationStarted(db, generation, reason));
    }

    @Override
    public void walCopied(Path db, Position end, long bytes) {
        each(l -> l.walCopied(db, end, bytes));
    }

    @Override
    public void checkpointed(Path db, String mode, long walFrames, long checkpointed, boolean busy) {
        each(l -> l.checkpointed(db, mode, walFrames, checkpointed, busy));
    }

    @Override
    public void snapshotPrepared(Path db, String replica, Position position) {
        each(l -> l.snapshotPrepared(db, replica, position));
    }

    @Override
    public void snapshotWritten(Path db, String replica, Position position, long compressedBytes, Duration took) {
        each(l -> l.snapshotWritten(db, replica, position, compressedBytes, took));
    }

    @Override
    public void segmentWritten(Path db, String replica, Position start, Position end, long compressedBytes) {
        each(l -> l.segmentWritten(db, replica, start, end, compressedBytes));
    }

    @Override
    public void validated(Path db, String replica, Position position, boolean equal) {
        each(l -> l.validated(db, replica, position, equal));
    }

    @Override
    public void retentionEnforced(Path db, String replica, int deletedObjects) {
        each(l -> l.retentionEnforced(db, replica, deletedObjects));
    }

    @Override
    public void syncFailed(Path db, String replica, Throwable error) {
        each(l -> l.syncFailed(db, replica, error));
    }

    @Override
    public void databaseFollowed(Path db, Position position, List<FollowedReplica> replicas) {
        each(l -> l.databaseFollowed(db, position, replicas));
    }

    @Override
    public void databaseWaiting(Path db, Throwable error) {
        each(l -> l.databaseWaiting(db, error));
    }

    @Override
    public void databaseLetGo(Path db) {
        each(l -> l.databaseLetGo(db));
    }

    @Override
    public void databaseParked(Path db, boolean parked) {
        each(l -> l.databaseParked(db, parked));
    }

    @Override
    public void synced(Path db, long dbBytes, long walBytes, Duration took) {
        each(l -> l.synced(db, dbBytes, walBytes, took));
    }

    @Override
    public void checkpointFinished(Path db, String mode, Duration took, Throwable error) {
        each(l -> l.checkpointFinished(db, mode, took, error));
    }

    @Override
    public void syncRecovered(Path db, String replica) {
        each(l -> l.syncRecovered(db, replica));
    }

    @Override
    public void storageOperation(Path db, String replica, String type, String operation, long bytes, Throwable error) {
        each(l -> l.storageOperation(db, replica, type, operation, bytes, error));
    }

    @Override
    public void loopsTicked(int databases, Duration took) {
        each(l -> l.loopsTicked(databases, took));
    }
}
