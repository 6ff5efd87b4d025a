package dev.keel.fleet.branch;

import dev.keel.replication.api.Position;
import java.time.Instant;
import java.util.Objects;

/** Which state of the source a branch holds: a moment of a live database, or a position in a replica. */
public sealed interface BranchOrigin {
    /**
     * A copy of a live database taken under one read transaction that began at {@code copiedAt}.
     *
     * @param journalMode the source's journal mode ({@code wal}, {@code delete}, ...), which the branch keeps
     */
    record Live(Instant copiedAt, String journalMode) implements BranchOrigin {
        public Live {
            Objects.requireNonNull(copiedAt, "copiedAt");
        }

        @Override
        public String toString() {
            return "copied at " + copiedAt;
        }
    }

    /**
     * A restore of a replica: the target asked for ({@code latest}, {@code timestamp ...}), the snapshot it
     * started from and the WAL position it reached.
     */
    record Replica(String target, long snapshotIndex, Position position) implements BranchOrigin {
        public Replica {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(position, "position");
        }

        @Override
        public String toString() {
            return target + " at " + position;
        }
    }
}
