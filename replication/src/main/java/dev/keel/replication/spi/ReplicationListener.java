package dev.keel.replication.spi;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Observes the replication engine: metrics, status pages and tests implement the events they care
 * about. Every method has an empty default. Methods are called from the engine's scheduler threads,
 * possibly concurrently for different databases, and must return quickly and not throw.
 */
public interface ReplicationListener {
    /** A listener that ignores everything. */
    ReplicationListener NONE = new ReplicationListener() {
    };

    /** A new generation began for {@code db}; {@code reason} says why in words a user understands. */
    default void generationStarted(Path db, Generation generation, String reason) {
    }

    /** Committed WAL bytes were copied to the local shadow WAL, which now ends at {@code end}. */
    default void walCopied(Path db, Position end, long bytes) {
    }

    /** A checkpoint ran: {@code mode} PASSIVE or RESTART, {@code walFrames} frames in the WAL, {@code checkpointed} copied to the db. */
    default void checkpointed(Path db, String mode, long walFrames, long checkpointed, boolean busy) {
    }

    /**
     * A replica prepared a snapshot to upload (a checkpoint and the whole database compressed); a failed
     * upload is retried with the same snapshot, so this counts preparations, not attempts.
     */
    default void snapshotPrepared(Path db, String replica, Position position) {
    }

    /** A snapshot was stored in a replica. */
    default void snapshotWritten(Path db, String replica, Position position, long compressedBytes, Duration took) {
    }

    /** A WAL segment starting at {@code start} and ending at {@code end} was stored in a replica and acknowledged. */
    default void segmentWritten(Path db, String replica, Position start, Position end, long compressedBytes) {
    }

    /** A validation compared the replica restored at {@code position} with the live database. */
    default void validated(Path db, String replica, Position position, boolean equal) {
    }

    /** Retention removed {@code deletedObjects} objects from a replica. */
    default void retentionEnforced(Path db, String replica, int deletedObjects) {
    }

    /** One round of a background loop failed; it will be retried. {@code replica} is null for the db's own monitor. */
    default void syncFailed(Path db, String replica, Throwable error) {
    }
}
