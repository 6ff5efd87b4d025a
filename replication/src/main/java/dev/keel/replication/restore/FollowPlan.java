package dev.keel.replication.restore;

import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.WalSegmentInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a follower does after one listing of its replica, decided from the catalog and the copy's
 * position alone: continue with the WAL segments after the position (and the segments of the
 * position's index before it, which a follower that has just started replays to pick up the checksum
 * chain), or rebuild the copy: the replica moved to a new generation, or no longer holds the WAL that
 * continues the copy (retention removed it while the follower was down).
 */
sealed interface FollowPlan {
    /** Apply {@code segments} in order; {@code prefix}: the segments of the position's index before it. */
    record Continue(List<WalSegmentInfo> prefix, List<WalSegmentInfo> segments) implements FollowPlan {
    }

    record Rebuild(String reason) implements FollowPlan {
    }

    static FollowPlan of(ReplicaCatalog catalog, Position at) {
        Optional<GenerationInfo> latest = catalog.latestGeneration();
        if (latest.isEmpty()) return new Continue(List.of(), List.of()); // an emptied replica: keep serving the copy
        if (!latest.get().generation().equals(at.generation())) {
            return new Rebuild("the replica started generation " + latest.get().generation() + " (the copy holds "
                    + at.generation() + ")");
        }
        return within(catalog, at);
    }

    /** The plan within the copy's generation, whatever other generations the catalog holds. */
    static FollowPlan within(ReplicaCatalog catalog, Position at) {
        List<WalSegmentInfo> prefix = new ArrayList<>();
        List<WalSegmentInfo> after = new ArrayList<>();
        for (WalSegmentInfo s : catalog.walSegments(at.generation())) {
            if (s.index() == at.index() && s.offset() < at.offset()) {
                prefix.add(s);
            } else if (s.index() > at.index() || (s.index() == at.index() && s.offset() >= at.offset())) {
                after.add(s);
            }
        }
        if (after.isEmpty()) return new Continue(prefix, after);
        WalSegmentInfo first = after.get(0);
        boolean continues = (first.index() == at.index() && first.offset() == at.offset())
                || (first.index() == at.index() + 1 && first.offset() == 0);
        if (!continues) {
            return new Rebuild("the replica holds no WAL at " + at + " (its next segment is " + first.key()
                    + "; retention may have removed what the copy needs)");
        }
        if (at.offset() > 0 && (prefix.isEmpty() || prefix.get(0).offset() != 0)) {
            return new Rebuild("the WAL of index " + ReplicaLayout.hex(at.index()) + " before " + at
                    + " is no longer on the replica, so the checksum chain cannot be verified");
        }
        return new Continue(prefix, contiguous(after));
    }

    /** The segments up to the first hole (a segment not yet listed, or a missing index): the rest waits. */
    private static List<WalSegmentInfo> contiguous(List<WalSegmentInfo> after) {
        List<WalSegmentInfo> run = new ArrayList<>();
        WalSegmentInfo previous = null;
        for (WalSegmentInfo s : after) {
            if (previous != null && s.index() != previous.index() && (s.index() != previous.index() + 1 || s.offset() != 0)) break;
            run.add(s);
            previous = s;
        }
        return run;
    }
}
