package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a replica's catalog and a target into a {@link RestorePlan}, with Litestream 0.3's rules:
 * the generation asked for, else the one with the latest data (covering the timestamp, if one is
 * given; see {@link GenerationChooser}); the newest snapshot at or before the target; then every WAL segment from that snapshot's
 * index at offset 0 up to the target, in order. A hole in the WAL is an error naming the object
 * where it shows. Pure: reads nothing but the catalog.
 */
public final class RestorePlanner {
    private RestorePlanner() {
    }

    /**
     * The generation a restore would use, or empty when the replica has no matching backup; throws
     * rather than fall back to older data when the newest generation is unusable or the choice is
     * ambiguous (see {@link GenerationChooser}).
     */
    public static Optional<GenerationInfo> chooseGeneration(ReplicaCatalog catalog, Generation wanted, RestoreTarget target) {
        return GenerationChooser.choose(catalog, wanted, target);
    }

    /** The plan for {@code options} against one replica, or empty when it holds no matching backup. */
    public static Optional<RestorePlan> plan(ReplicaCatalog catalog, RestoreOptions options) {
        Optional<GenerationInfo> chosen = chooseGeneration(catalog, options.generation(), options.target());
        if (chosen.isEmpty()) return Optional.empty();
        Generation generation = chosen.get().generation();
        RestoreTarget target = options.target();
        Optional<SnapshotInfo> snapshot = snapshotFor(catalog.snapshots(generation), target);
        if (snapshot.isEmpty()) return Optional.empty();
        long fromIndex = snapshot.get().index();

        List<WalSegmentInfo> chosenSegments = new ArrayList<>();
        long stopOffset = -1;
        WalSegmentInfo previous = null;
        for (WalSegmentInfo segment : catalog.walSegments(generation)) {
            if (segment.index() < fromIndex) continue;
            if (beyond(segment, target)) break;
            boolean startsIndex = previous == null || previous.index() != segment.index();
            if (startsIndex && segment.offset() != 0) {
                throw gap(catalog, segment, "the WAL of index " + ReplicaLayout.hex(segment.index())
                        + " has no segment at offset 0 (missing initial WAL segment)");
            }
            if (startsIndex && previous != null && segment.index() != previous.index() + 1) {
                throw gap(catalog, segment, "WAL index " + ReplicaLayout.hex(previous.index() + 1) + " is missing");
            }
            if (startsIndex && previous == null && segment.index() != fromIndex) {
                throw gap(catalog, segment, "WAL index " + ReplicaLayout.hex(fromIndex) + " of snapshot "
                        + snapshot.get().key() + " is missing");
            }
            chosenSegments.add(segment);
            previous = segment;
        }
        if (target instanceof RestoreTarget.Index i) {
            long highest = previous == null ? -1 : previous.index();
            if (highest != i.index() && !(previous == null && fromIndex == i.index())) {
                throw new KeelException(ErrorCode.NOT_FOUND, "WAL index " + ReplicaLayout.hex(i.index())
                        + " is not in generation " + generation + (highest < 0 ? "" : " (highest is " + ReplicaLayout.hex(highest) + ")"),
                        catalog.replica(), "list the indexes with 'keel wal -generation " + generation + "'");
            }
        }
        if (target instanceof RestoreTarget.AtPosition p) {
            stopOffset = checkReaches(catalog, p.position(), fromIndex, previous);
        }
        return Optional.of(new RestorePlan(catalog.replica(), generation, snapshot.get(), chosenSegments, stopOffset));
    }

    private static Optional<SnapshotInfo> snapshotFor(List<SnapshotInfo> snapshots, RestoreTarget target) {
        SnapshotInfo best = null;
        for (SnapshotInfo s : snapshots) {
            if (target instanceof RestoreTarget.Timestamp t) {
                if (s.createdAt().isAfter(t.timestamp())) continue;
                if (best == null || !s.createdAt().isBefore(best.createdAt())) best = s;
            } else if (target instanceof RestoreTarget.Index i) {
                if (s.index() <= i.index()) best = s; // sorted by index: the last one that fits wins
            } else if (target instanceof RestoreTarget.AtPosition p) {
                if (s.index() <= p.position().index()) best = s;
            } else {
                // Latest: the highest index (Litestream takes the newest by time): it needs the least WAL,
                // and a file whose time was changed (touched, copied) cannot move the choice.
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }

    private static boolean beyond(WalSegmentInfo segment, RestoreTarget target) {
        if (target instanceof RestoreTarget.Timestamp t) return segment.createdAt().isAfter(t.timestamp());
        if (target instanceof RestoreTarget.Index i) return segment.index() > i.index();
        if (target instanceof RestoreTarget.AtPosition p) {
            Position pos = p.position();
            return segment.index() > pos.index() || (segment.index() == pos.index() && segment.offset() >= pos.offset());
        }
        return false;
    }

    /** The stop offset for a position target; fails when the replica does not hold WAL up to it. */
    private static long checkReaches(ReplicaCatalog catalog, Position position, long fromIndex, WalSegmentInfo last) {
        boolean atIndexStart = position.offset() == 0 && (last == null ? position.index() == fromIndex : position.index() == last.index() + 1);
        if (atIndexStart) return -1;
        if (last == null || last.index() != position.index()) {
            throw new KeelException(ErrorCode.NOT_FOUND, "the replica holds no WAL up to position " + position,
                    catalog.replica(), "list the WAL segments with 'keel wal -generation " + position.generation() + "'");
        }
        return position.offset(); // whether the last segment reaches it is only known once it is read
    }

    private static KeelException gap(ReplicaCatalog catalog, WalSegmentInfo where, String what) {
        return new KeelException(ErrorCode.BAD_INPUT, "the replica has a gap: " + what,
                catalog.replica() + "/" + where.key(),
                "restore an earlier point (-index or -timestamp) or another generation; the WAL after the gap is unusable");
    }

    /** The newest moment a catalog can be restored to, for choosing among replicas (null if none). */
    public static Instant updatedAt(ReplicaCatalog catalog, Generation wanted, RestoreTarget target) {
        return chooseGeneration(catalog, wanted, target).map(GenerationInfo::updatedAt).orElse(null);
    }
}
