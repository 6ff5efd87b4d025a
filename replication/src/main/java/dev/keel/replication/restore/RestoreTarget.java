package dev.keel.replication.restore;

import dev.keel.replication.api.Position;
import java.time.Instant;
import java.util.Objects;

/** How far a restore goes: the latest data, a WAL index, a moment, or an exact position. */
public sealed interface RestoreTarget {
    /** Everything the chosen generation holds. */
    RestoreTarget LATEST = new Latest();

    static RestoreTarget latest() {
        return LATEST;
    }

    static RestoreTarget index(long index) {
        return new Index(index);
    }

    static RestoreTarget timestamp(Instant timestamp) {
        return new Timestamp(timestamp);
    }

    static RestoreTarget position(Position position) {
        return new AtPosition(position);
    }

    /** Everything the chosen generation holds. */
    record Latest() implements RestoreTarget {
        @Override
        public String toString() {
            return "latest";
        }
    }

    /** Up to and including every segment of WAL index {@code index} (Litestream's {@code -index}). */
    record Index(long index) implements RestoreTarget {
        public Index {
            if (index < 0 || index > 0xFFFFFFFFL) throw new IllegalArgumentException("WAL index out of range: " + index);
        }

        @Override
        public String toString() {
            return "index " + String.format("%08x", index);
        }
    }

    /**
     * The state as of {@code timestamp}: the newest snapshot created at or before it, then the WAL
     * segments written at or before it (Litestream's {@code -timestamp}).
     */
    record Timestamp(Instant timestamp) implements RestoreTarget {
        public Timestamp {
            Objects.requireNonNull(timestamp, "timestamp");
        }

        @Override
        public String toString() {
            return "timestamp " + timestamp;
        }
    }

    /**
     * Exactly the WAL bytes before {@code position} in its generation; the offset must fall on a
     * commit boundary. Used to restore a replica to the position it reported (validation).
     */
    record AtPosition(Position position) implements RestoreTarget {
        public AtPosition {
            Objects.requireNonNull(position, "position");
        }

        @Override
        public String toString() {
            return "position " + position;
        }
    }
}
