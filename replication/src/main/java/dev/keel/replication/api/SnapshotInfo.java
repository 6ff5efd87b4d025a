package dev.keel.replication.api;

import java.time.Instant;
import java.util.Objects;

/** A snapshot stored in a replica: the main db file as of the start of WAL index {@code index}. */
public record SnapshotInfo(Generation generation, long index, long size, Instant createdAt) {
    public SnapshotInfo {
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public String key() {
        return ReplicaLayout.snapshotKey(generation, index);
    }
}
