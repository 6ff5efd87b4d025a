package dev.keel.replication.spi;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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

    /** One replica of a database, as the engine holds it when it starts following the database. */
    record FollowedReplica(String name, String type, String location, Position acknowledged) {
    }

    /**
     * The engine follows {@code db} now (at start, when it opened after waiting, or when a watched
     * directory gained it): its shadow WAL ends at {@code position} (null before its first sync) and each
     * replica acknowledged what {@code replicas} says (null when unknown until it is listed).
     */
    default void databaseFollowed(Path db, Position position, List<FollowedReplica> replicas) {
    }

    /** {@code db} could not be opened and is retried every monitor interval until it opens. */
    default void databaseWaiting(Path db, Throwable error) {
    }

    /** The engine let go of {@code db}: its file went away from a watched directory, or replication stopped. */
    default void databaseLetGo(Path db) {
    }

    /**
     * {@code db} was parked (its idle state released; {@code parked} true) or woke up again (false).
     * Fired by engines that park idle databases; others never call it.
     */
    default void databaseParked(Path db, boolean parked) {
    }

    /**
     * A monitor round of {@code db} ran to its end in {@code took}; the database file and its WAL measured
     * {@code dbBytes} and {@code walBytes} afterwards. Rounds that fail are reported by {@link #syncFailed}.
     */
    default void synced(Path db, long dbBytes, long walBytes, Duration took) {
    }

    /** A checkpoint in {@code mode} ended after {@code took}; {@code error} is null when it worked. */
    default void checkpointFinished(Path db, String mode, Duration took, Throwable error) {
    }

    /** A background loop that had failed ({@link #syncFailed}) completed a round again. */
    default void syncRecovered(Path db, String replica) {
    }

    /**
     * One call to a replica's storage ended: {@code operation} is GET, PUT, DELETE or LIST, {@code type}
     * the backend ("file", "s3", ...), {@code bytes} the payload moved (0 when none or unknown) and
     * {@code error} null when it worked.
     */
    default void storageOperation(Path db, String replica, String type, String operation, long bytes, Throwable error) {
    }

    /** The engine's ticker walked its {@code databases} databases in {@code took}: the loops are running. */
    default void loopsTicked(int databases, Duration took) {
    }
}
