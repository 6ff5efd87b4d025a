package dev.keel.replication.spi;

import dev.keel.replication.api.ReplicaLayout;
import java.time.Instant;
import java.util.Objects;

/**
 * One stored object as a listing reports it. {@code key} is relative to the replica root and uses '/';
 * {@code lastModified} is the storage's own timestamp (file mtime, S3 LastModified), which is what
 * point-in-time restore compares against.
 */
public record ObjectInfo(String key, long size, Instant lastModified) implements ReplicaLayout.ObjectInfoLike {
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
    }
}
