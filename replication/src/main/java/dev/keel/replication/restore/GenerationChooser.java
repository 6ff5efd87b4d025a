package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.spi.ObjectInfo;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which generation a restore uses when none is named. A replica has no manifest: object timestamps
 * are all there is, and they can lie (a touched file, a copy made without keeping times). So "the
 * newest" must be unambiguous, and never silently the newest usable one:
 * <ul>
 * <li>the candidate is the generation with the latest update (for a timestamp T: the newest one
 *     created at or before T), counting every generation, restorable or not;</li>
 * <li>a generation is written only after the previous one stopped, so two generations whose time
 *     spans overlap (one has an object written after the other's first) cannot be ordered: refused,
 *     naming both;</li>
 * <li>a candidate without a snapshot (deleted, say) is refused, naming it: restoring the older
 *     generation instead would lose everything written since (Litestream fails here too);</li>
 * <li>an object under {@code generations/} whose name is not exact (a renamed generation or file, a
 *     link) and is newer than the candidate's start may hold newer data: refused, naming it; except the
 *     temp file of an upload that never completed ({@link ReplicaLayout#isUploadLeftover}), which an S3
 *     server killed mid-upload leaves and lists.</li>
 * </ul>
 * With the replica's objects at hand ({@link #confirm}), the order by file times is then checked against
 * the WAL's content ({@link GenerationOrder}): a generation ranked older whose WAL went on after the
 * chosen one began is refused, except in a tie only a coarse storage makes, where the content decides.
 * A restore of a generation named with {@code -generation} skips all of this: the user chose.
 */
final class GenerationChooser {
    private GenerationChooser() {
    }

    /** The generation to restore, or empty when the replica holds no backup for the target. */
    static Optional<GenerationInfo> choose(ReplicaCatalog catalog, Generation wanted, RestoreTarget target) {
        if (wanted != null) {
            GenerationInfo info = catalog.info(wanted);
            if (info.createdAt() == null) return Optional.empty();
            if (!info.restorable()) throw noSnapshot(catalog, info, "generation " + wanted + " holds WAL");
            return Optional.of(info);
        }
        if (target instanceof RestoreTarget.Index) {
            throw new KeelException(ErrorCode.USAGE, "a restore to a WAL index needs a generation", catalog.replica(),
                    "add -generation NAME (see 'keel generations')");
        }
        Instant until = target instanceof RestoreTarget.Timestamp t ? t.timestamp() : null;
        List<GenerationInfo> candidates = catalog.generationInfos().stream()
                .filter(g -> until == null || !g.createdAt().isAfter(until)).toList();
        // Latest: the latest update. At T: the generation that was current then, the newest created by T.
        // Ties within a second (coarse storage timestamps) are broken by the catalog's recency order.
        Comparator<GenerationInfo> newer = until == null
                ? Comparator.comparing(GenerationInfo::updatedAt).thenComparing(catalog.recency())
                : Comparator.comparing(GenerationInfo::createdAt).thenComparing(GenerationInfo::updatedAt)
                        .thenComparing(catalog.recency());
        Optional<GenerationInfo> newest = candidates.stream().max(newer);
        refuseStrays(catalog, newest.map(GenerationInfo::createdAt).orElse(null), until);
        if (newest.isEmpty()) return newest;
        GenerationInfo chosen = newest.get();
        for (GenerationInfo other : candidates) {
            // Equal times are fine: the old generation's tail and the new one's first snapshot are often
            // uploaded within the same second, and storage timestamps may have one-second resolution.
            if (other != chosen && other.updatedAt().isAfter(chosen.createdAt())) throw overlap(catalog, chosen, other);
        }
        if (!chosen.restorable()) throw noSnapshot(catalog, chosen, "the newest generation " + chosen.generation() + " holds WAL");
        return newest;
    }

    /**
     * {@code chosen} (by {@link #choose}) checked by content: for a point in time, refused when a generation
     * ranked older continued its WAL after it. For the latest state, a generation ranked older only because
     * storage times of one-second resolution tie (its last upload carries the whole second {@code chosen}
     * began in) whose WAL went on past {@code chosen}'s start is the newer one; other disagreements are refused.
     */
    static GenerationInfo confirm(ReplicaObjects objects, ReplicaCatalog catalog, GenerationInfo chosen, RestoreTarget target) {
        if (!(target instanceof RestoreTarget.Latest)) {
            Optional<GenerationOrder.Continued> later = GenerationOrder.continuedAfter(objects, catalog, chosen);
            if (later.isPresent()) throw GenerationOrder.refusal(objects, chosen, later.get());
            return chosen;
        }
        GenerationInfo current = chosen;
        for (int hops = 0; hops <= catalog.generationInfos().size(); hops++) {
            Optional<GenerationOrder.Continued> later = GenerationOrder.continuedAfter(objects, catalog, current);
            if (later.isEmpty()) return current;
            GenerationInfo other = later.get().generation();
            if (!sameSecond(other.updatedAt(), current.createdAt())) throw GenerationOrder.refusal(objects, current, later.get());
            current = other;
        }
        throw GenerationOrder.refusal(objects, current, GenerationOrder.continuedAfter(objects, catalog, current).orElseThrow());
    }

    /**
     * A tie only a coarse storage makes: both times whole seconds (S3 and Azure give no fraction) and
     * equal. Finer times that disagree with the content are a copy that lost them: refused.
     */
    private static boolean sameSecond(Instant a, Instant b) {
        return a != null && a.equals(b) && a.getNano() == 0;
    }

    private static KeelException overlap(ReplicaCatalog catalog, GenerationInfo a, GenerationInfo b) {
        return new KeelException(ErrorCode.BAD_INPUT, "cannot tell which generation is newest: " + span(a) + " and "
                + span(b) + " overlap in time, which a replicator never writes (file times changed by a copy"
                + " without -p or a touch, or files moved between generations?)",
                catalog.replica() + "/" + ReplicaLayout.generationPrefix(a.generation()),
                "check both with 'keel generations' and 'keel wal', then choose one with -generation NAME");
    }

    private static KeelException noSnapshot(ReplicaCatalog catalog, GenerationInfo info, String what) {
        String older = catalog.generationInfos().stream()
                .filter(g -> g.restorable() && !g.generation().equals(info.generation())
                        && !g.updatedAt().isAfter(info.createdAt()))
                .max(Comparator.comparing(GenerationInfo::updatedAt))
                .map(g -> "; to restore the older data of generation " + g.generation() + " instead, pass -generation "
                        + g.generation()).orElse("");
        return new KeelException(ErrorCode.BAD_INPUT, what + " from " + time(info.createdAt()) + " to "
                + time(info.updatedAt()) + " but no snapshot to start from (deleted?); its data cannot be restored",
                catalog.replica() + "/" + ReplicaLayout.snapshotsPrefix(info.generation()),
                "put the generation's snapshot back, or let the replicator write a new one" + older);
    }

    /**
     * Refuses when an object Keel cannot read is newer than the data it would restore ({@code since}:
     * the chosen generation's start; null when there is none), or sits where a generation directory
     * should be.
     */
    private static void refuseStrays(ReplicaCatalog catalog, Instant since, Instant until) {
        for (ObjectInfo stray : catalog.strays()) {
            boolean inPlaceOfGeneration = stray.key().matches(ReplicaLayout.GENERATIONS + "/[0-9a-f]{16}");
            boolean newer = (since == null || stray.lastModified().isAfter(since))
                    && (until == null || !stray.lastModified().isAfter(until));
            if (!inPlaceOfGeneration && !newer) continue;
            // The temp file of an upload a storage server crash cut off holds nothing acknowledged.
            if (ReplicaLayout.isUploadLeftover(stray.key())) continue;
            throw new KeelException(ErrorCode.BAD_INPUT, "the replica holds '" + stray.key() + "' (" + time(stray.lastModified())
                    + "), which is not a snapshot or WAL segment name Keel reads (renamed, a link, or a copy?); it may hold"
                    + " data newer than " + (since == null ? "anything restorable" : "what a restore would use"),
                    catalog.replica() + "/" + stray.key(),
                    "rename it back to its exact lowercase name, or remove it; or choose a generation with -generation NAME");
        }
    }

    private static String span(GenerationInfo g) {
        return "generation " + g.generation() + " (" + time(g.createdAt()) + " to " + time(g.updatedAt()) + ")";
    }

    private static String time(Instant t) {
        return t == null ? "-" : t.toString();
    }
}
