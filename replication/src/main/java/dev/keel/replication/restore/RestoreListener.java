package dev.keel.replication.restore;

/**
 * Hears how a restore progresses, e.g. to draw a progress bar. Methods may be called from the
 * restore's worker threads and must return quickly; every method has an empty default.
 */
public interface RestoreListener {
    RestoreListener NONE = new RestoreListener() {
    };

    /** The plan is known: {@code compressedBytes} will be read from the replica in {@code objects} objects. */
    default void planned(RestorePlan plan, long compressedBytes, int objects) {
    }

    /** {@code compressedBytes} more were read and applied. */
    default void progressed(long compressedBytes) {
    }

    /** The database is being checked with {@code PRAGMA integrity_check}. */
    default void checking() {
    }
}
