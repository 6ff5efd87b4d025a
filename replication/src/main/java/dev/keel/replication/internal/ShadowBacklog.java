package dev.keel.replication.internal;

import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import java.io.IOException;

/** How much of the shadow WAL a replica has not acknowledged yet, in bytes and in words. */
final class ShadowBacklog {
    private ShadowBacklog() {
    }

    /** Bytes of shadow WAL from {@code pos} to {@code head} (to the end of pos's generation when it is older). */
    static long bytes(ShadowWal shadow, Position pos, Position head) throws IOException {
        long backlog = 0;
        if (!pos.generation().equals(head.generation())) {
            for (long i = pos.index(); ; i++) {
                long length = shadow.length(pos.generation(), i);
                if (length < 0) break;
                backlog += Math.max(0, length - (i == pos.index() ? pos.offset() : 0));
            }
            return backlog;
        }
        for (long i = pos.index(); i < head.index(); i++) {
            backlog += Math.max(0, shadow.length(pos.generation(), i) - (i == pos.index() ? pos.offset() : 0));
        }
        return backlog + (head.index() == pos.index() ? head.offset() - pos.offset() : head.offset());
    }

    /**
     * What the shadow WAL holds beyond {@code pos}, in words (positions and bytes), for the final sync's
     * report; null when the replica holds everything.
     *
     * @param positionKnown false when the replica could not be listed, so {@code pos} is not to be trusted
     * @param kept the snapshot kept from a failed upload, null when there is none
     */
    static String describe(ShadowWal shadow, Position pos, Position head, boolean positionKnown,
            DatabaseMonitor.Snapshot kept) throws IOException {
        if (head == null || head.equals(pos)) return null;
        if (!positionKnown) {
            return "everything up to " + head + " (the replica could not be listed to learn what it already holds)";
        }
        if (pos == null) {
            return "all of generation " + head.generation() + ": its snapshot ("
                    + (kept == null ? "not taken yet" : "prepared at index " + ReplicaLayout.hex(kept.position().index()))
                    + ") and its WAL up to " + head;
        }
        String range = "WAL from " + pos + " to " + head + " (" + bytes(shadow, pos, head) + " bytes)";
        if (pos.generation().equals(head.generation())) return range;
        return "the rest of generation " + pos.generation() + " from " + pos + " (" + bytes(shadow, pos, head)
                + " bytes), then all of generation " + head.generation() + " up to " + head;
    }
}
