package dev.keel.replication.spi;

import java.io.IOException;

/**
 * Compare-and-swap on small objects of a replica: the one primitive a lease needs. A backend offers it
 * through {@link ReplicaClient#conditionalObjects()} only when its storage makes these operations atomic
 * (S3 {@code If-None-Match}/{@code If-Match}, Azure ETag conditions, an exclusive create plus a lock on
 * local files); SFTP has none. Objects are small (a few hundred bytes); a version is the storage's own
 * (an ETag, a content digest) and means nothing outside {@link #replace}.
 */
public interface ConditionalObjects {
    /** The largest object these calls read or write. */
    int MAX_BYTES = 4096;

    /** An object's bytes and the version they had when read. */
    record Versioned(byte[] bytes, String version) {
        public Versioned {
            java.util.Objects.requireNonNull(bytes, "bytes");
            java.util.Objects.requireNonNull(version, "version");
        }
    }

    /** The object, or null when there is none. */
    Versioned read(String key) throws IOException;

    /** Creates the object when no object has that key; its version, or null when one exists already. */
    String create(String key, byte[] bytes) throws IOException;

    /** Replaces the object when it still has {@code version}; the new version, or null when it changed (or is gone). */
    String replace(String key, byte[] bytes, String version) throws IOException;
}
