package dev.keel.replication.internal;

import dev.keel.format.Lz4;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a replica holds, read from names and timestamps alone (there is no manifest): snapshots and
 * WAL segments, and from them the position a replica reached, computed the way Litestream does it:
 * the highest index, its last segment's offset plus that segment's decompressed length.
 */
record ReplicaListing(List<SnapshotInfo> snapshots, List<WalSegmentInfo> segments) {

    /** Lists everything under {@code generations/} (or one generation when {@code generation} is given). */
    static ReplicaListing read(ReplicaClient client, Generation generation) throws IOException {
        String prefix = generation == null ? ReplicaLayout.GENERATIONS + "/" : ReplicaLayout.generationPrefix(generation);
        List<SnapshotInfo> snapshots = new ArrayList<>();
        List<WalSegmentInfo> segments = new ArrayList<>();
        for (ObjectInfo o : client.list(prefix)) {
            ReplicaLayout.parseSnapshot(o).ifPresent(snapshots::add);
            ReplicaLayout.parseWalSegment(o).ifPresent(segments::add);
        }
        snapshots.sort(Comparator.comparing(SnapshotInfo::generation).thenComparingLong(SnapshotInfo::index));
        segments.sort(Comparator.comparing(WalSegmentInfo::position));
        return new ReplicaListing(List.copyOf(snapshots), List.copyOf(segments));
    }

    /** The newest snapshot time of a generation, if it has a snapshot. */
    Optional<Instant> lastSnapshotTime(Generation generation) {
        return snapshots.stream().filter(s -> s.generation().equals(generation)).map(SnapshotInfo::createdAt)
                .max(Comparator.naturalOrder());
    }

    /**
     * Where the replica stands in {@code generation}; empty when it holds no snapshot of it (a replica
     * cannot be restored from WAL alone, so it starts over with a snapshot).
     */
    Optional<Position> position(ReplicaClient client, Generation generation) throws IOException {
        long maxIndex = -1;
        for (SnapshotInfo s : snapshots) {
            if (s.generation().equals(generation)) maxIndex = Math.max(maxIndex, s.index());
        }
        if (maxIndex < 0) return Optional.empty();
        WalSegmentInfo last = null;
        for (WalSegmentInfo w : segments) {
            if (!w.generation().equals(generation) || w.index() < maxIndex) continue;
            if (last == null || w.position().compareTo(last.position()) > 0) last = w;
        }
        if (last == null) return Optional.of(new Position(generation, maxIndex, 0));
        long length;
        try (InputStream in = Lz4.decompressing(client.open(last.key()))) {
            length = in.transferTo(OutputStreamDiscard.INSTANCE);
        }
        return Optional.of(new Position(generation, last.index(), last.offset() + length));
    }

    /** Counts and drops bytes. */
    private static final class OutputStreamDiscard extends java.io.OutputStream {
        static final OutputStreamDiscard INSTANCE = new OutputStreamDiscard();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
