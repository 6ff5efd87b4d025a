package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything a replica holds, from one listing: generations, their snapshots and WAL segments,
 * sorted. Only keys that {@link ReplicaLayout} parses are kept; anything else in the tree is counted
 * and ignored. Immutable, so one listing can serve planning, listings and position lookups.
 */
public final class ReplicaCatalog {
    private static final Comparator<SnapshotInfo> BY_INDEX = Comparator.comparingLong(SnapshotInfo::index);
    private static final Comparator<WalSegmentInfo> BY_POSITION =
            Comparator.comparingLong(WalSegmentInfo::index).thenComparingLong(WalSegmentInfo::offset);

    private final String replica;
    private final Map<Generation, List<SnapshotInfo>> snapshots;
    private final Map<Generation, List<WalSegmentInfo>> segments;
    private final List<ObjectInfo> strays;

    private ReplicaCatalog(String replica, Map<Generation, List<SnapshotInfo>> snapshots,
                           Map<Generation, List<WalSegmentInfo>> segments, List<ObjectInfo> strays) {
        this.replica = replica;
        this.snapshots = snapshots;
        this.segments = segments;
        this.strays = strays;
    }

    /** Lists the replica once (everything under {@code generations/}) and builds the catalog. */
    public static ReplicaCatalog load(ReplicaClient client) {
        try {
            return read(client, null);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "cannot list the replica: " + e.getMessage(),
                    client.describe(), "check that the storage is reachable and the credentials are right", e);
        }
    }

    /**
     * Lists everything under {@code generations/}, or only one generation's objects when
     * {@code generation} is not null (the replication engine's cheaper listing); storage failures are
     * left to the caller, whose loop retries them.
     */
    public static ReplicaCatalog read(ReplicaClient client, Generation generation) throws IOException {
        String prefix = generation == null ? ReplicaLayout.GENERATIONS + "/" : ReplicaLayout.generationPrefix(generation);
        return of(client.describe(), client.list(prefix));
    }

    /** A catalog of the given objects; keys that are not snapshots or WAL segments are ignored. */
    public static ReplicaCatalog of(String replica, Collection<ObjectInfo> objects) {
        Map<Generation, List<SnapshotInfo>> snaps = new TreeMap<>();
        Map<Generation, List<WalSegmentInfo>> wal = new TreeMap<>();
        List<ObjectInfo> strays = new ArrayList<>();
        for (ObjectInfo object : objects) {
            Optional<SnapshotInfo> s = ReplicaLayout.parseSnapshot(object);
            if (s.isPresent()) {
                snaps.computeIfAbsent(s.get().generation(), g -> new ArrayList<>()).add(s.get());
                continue;
            }
            Optional<WalSegmentInfo> w = ReplicaLayout.parseWalSegment(object);
            if (w.isPresent()) {
                wal.computeIfAbsent(w.get().generation(), g -> new ArrayList<>()).add(w.get());
            } else {
                strays.add(object);
            }
        }
        Map<Generation, List<SnapshotInfo>> sortedSnaps = new TreeMap<>();
        Map<Generation, List<WalSegmentInfo>> sortedWal = new TreeMap<>();
        for (Generation g : union(snaps, wal)) {
            List<SnapshotInfo> s = new ArrayList<>(snaps.getOrDefault(g, List.of()));
            s.sort(BY_INDEX);
            List<WalSegmentInfo> w = new ArrayList<>(wal.getOrDefault(g, List.of()));
            w.sort(BY_POSITION);
            sortedSnaps.put(g, List.copyOf(s));
            sortedWal.put(g, List.copyOf(w));
        }
        strays.sort(Comparator.comparing(ObjectInfo::key));
        return new ReplicaCatalog(replica, sortedSnaps, sortedWal, List.copyOf(strays));
    }

    private static List<Generation> union(Map<Generation, ?> a, Map<Generation, ?> b) {
        TreeMap<Generation, Boolean> all = new TreeMap<>();
        a.keySet().forEach(g -> all.put(g, true));
        b.keySet().forEach(g -> all.put(g, true));
        return List.copyOf(all.keySet());
    }

    /** The replica this catalog describes, as {@link ReplicaClient#describe()} said. */
    public String replica() {
        return replica;
    }

    /** Every generation that holds a snapshot or a WAL segment, in name order. */
    public List<Generation> generations() {
        return List.copyOf(snapshots.keySet());
    }

    public boolean isEmpty() {
        return snapshots.isEmpty();
    }

    /** Snapshots of one generation by index; empty for an unknown generation. */
    public List<SnapshotInfo> snapshots(Generation generation) {
        return snapshots.getOrDefault(generation, List.of());
    }

    /** WAL segments of one generation by (index, offset); empty for an unknown generation. */
    public List<WalSegmentInfo> walSegments(Generation generation) {
        return segments.getOrDefault(generation, List.of());
    }

    /** Every snapshot, by generation then index. */
    public List<SnapshotInfo> snapshots() {
        return snapshots.values().stream().flatMap(List::stream).toList();
    }

    /** Every WAL segment, by generation then index and offset. */
    public List<WalSegmentInfo> walSegments() {
        return segments.values().stream().flatMap(List::stream).toList();
    }

    /** How many objects under {@code generations/} were not snapshots or WAL segments. */
    public int ignoredObjects() {
        return strays.size();
    }

    /**
     * The objects under {@code generations/} whose names are not exactly a snapshot's or a WAL
     * segment's (renamed files or directories, links, copies), by key. A restore never reads them, but
     * one newer than the data it would restore means that data may not be the newest (see
     * {@link GenerationChooser}).
     */
    public List<ObjectInfo> strays() {
        return strays;
    }

    /**
     * The time span of a generation: from its oldest to its newest snapshot or WAL segment, counting
     * only segments at or after the oldest snapshot's index (earlier ones cannot be restored); for a
     * generation without snapshots (null for an unknown one), the span of its WAL, as Litestream lists it.
     */
    public GenerationInfo info(Generation generation) {
        List<SnapshotInfo> snaps = snapshots(generation);
        List<WalSegmentInfo> wal = walSegments(generation);
        long minIndex = snaps.isEmpty() ? 0 : snaps.get(0).index();
        Instant created = null, updated = null;
        for (SnapshotInfo s : snaps) {
            created = min(created, s.createdAt());
            updated = max(updated, s.createdAt());
        }
        for (WalSegmentInfo w : wal) {
            if (w.index() < minIndex) continue;
            created = min(created, w.createdAt());
            updated = max(updated, w.createdAt());
        }
        return new GenerationInfo(generation, created, updated, snaps.size(), wal.size());
    }

    /** {@link #info} for every generation, in name order. */
    public List<GenerationInfo> generationInfos() {
        return generations().stream().map(this::info).toList();
    }

    /**
     * The generation a restore of the latest state uses (see {@link GenerationChooser}): the one with
     * the latest update; empty when the replica holds nothing. Throws when that generation cannot be
     * restored or the choice is ambiguous, rather than fall back to older data.
     */
    public Optional<GenerationInfo> latestGeneration() {
        return GenerationChooser.choose(this, null, RestoreTarget.latest());
    }

    /**
     * Orders restorable generations by when they started, oldest first: a generation is only started
     * after the previous one stopped writing (a replica uploads an older generation's tail before the
     * new one's snapshot), so the later creation time, then the later first snapshot, is the newer
     * generation. Generations that tie on every timestamp are ordered by name, only to be deterministic.
     */
    public Comparator<GenerationInfo> recency() {
        return Comparator.comparing(GenerationInfo::createdAt)
                .thenComparing(info -> snapshots(info.generation()).stream().map(SnapshotInfo::createdAt)
                        .min(Comparator.naturalOrder()).orElse(Instant.MIN))
                .thenComparing(GenerationInfo::generation);
    }

    /** The snapshot of a generation with the highest index, if it has any. */
    public Optional<SnapshotInfo> lastSnapshot(Generation generation) {
        List<SnapshotInfo> snaps = snapshots(generation);
        return snaps.isEmpty() ? Optional.empty() : Optional.of(snaps.get(snaps.size() - 1));
    }

    /** The newest snapshot time of a generation, if it has a snapshot. */
    public Optional<Instant> lastSnapshotTime(Generation generation) {
        return snapshots(generation).stream().map(SnapshotInfo::createdAt).max(Comparator.naturalOrder());
    }

    /** The last WAL segment of a generation (highest index, then offset), if it has any. */
    public Optional<WalSegmentInfo> lastWalSegment(Generation generation) {
        List<WalSegmentInfo> wal = walSegments(generation);
        return wal.isEmpty() ? Optional.empty() : Optional.of(wal.get(wal.size() - 1));
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }
}
