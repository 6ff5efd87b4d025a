package dev.keel.replication.api;

import java.util.Objects;

/**
 * A place in a database's WAL history: generation, WAL index (bumped at each WAL restart) and the
 * byte offset inside that index's WAL. Offsets are always at a frame boundary after a commit.
 */
public record Position(Generation generation, long index, long offset) implements Comparable<Position> {
    public Position {
        Objects.requireNonNull(generation, "generation");
        if (index < 0 || index > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("WAL index out of range: " + index);
        }
        if (offset < 0 || offset > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("WAL offset out of range: " + offset);
        }
    }

    /** Same generation and index, further along. */
    public Position withOffset(long newOffset) {
        return new Position(generation, index, newOffset);
    }

    @Override
    public int compareTo(Position o) {
        int c = generation.compareTo(o.generation);
        if (c != 0) return c;
        c = Long.compare(index, o.index);
        return c != 0 ? c : Long.compare(offset, o.offset);
    }

    @Override
    public String toString() {
        return generation + "/" + ReplicaLayout.hex(index) + ":" + ReplicaLayout.hex(offset);
    }
}
