package dev.keel.replication.api;

import java.time.Instant;
import java.util.Objects;

/** A WAL segment stored in a replica: raw WAL bytes of one index starting at {@code offset}, LZ4-compressed. */
public record WalSegmentInfo(Generation generation, long index, long offset, long size, Instant createdAt) {
    public WalSegmentInfo {
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public Position position() {
        return new Position(generation, index, offset);
    }

    public String key() {
        return ReplicaLayout.walSegmentKey(generation, index, offset);
    }
}
