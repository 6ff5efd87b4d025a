package dev.keel.replication.internal;

import dev.keel.format.Lz4;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.cipher.AgeCipher;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Where a replica stands in a generation, computed from its catalog the way Litestream does it (there
 * is no manifest): the highest index at or after the newest snapshot, its last segment's offset plus
 * that segment's decompressed length.
 */
final class ReplicaPosition {
    private ReplicaPosition() {
    }

    /**
     * The replica's position in {@code generation}; empty when it holds no snapshot of it (a replica
     * cannot be restored from WAL alone, so it starts over with a snapshot). Reads the last segment
     * ({@code client} decrypts it; {@code cipher} is the replica's, to know whether it can).
     */
    static Optional<Position> of(ReplicaCatalog catalog, ReplicaClient client, Generation generation, AgeCipher cipher)
            throws IOException {
        Optional<SnapshotInfo> snapshot = catalog.lastSnapshot(generation);
        if (snapshot.isEmpty()) return Optional.empty();
        long snapshotIndex = snapshot.get().index();
        Optional<WalSegmentInfo> last = catalog.lastWalSegment(generation).filter(w -> w.index() >= snapshotIndex);
        if (last.isEmpty()) return Optional.of(new Position(generation, snapshotIndex, 0));
        // A replica given recipients but no identity (its secret key kept elsewhere) cannot read how long
        // its last segment is: it starts over with a snapshot rather than failing at every sync.
        if (cipher.encrypts() && !cipher.decrypts()) {
            return Optional.empty();
        }
        long length;
        try (InputStream in = Lz4.decompressing(client.open(last.get().key()))) {
            length = in.transferTo(OutputStream.nullOutputStream());
        }
        return Optional.of(new Position(generation, last.get().index(), last.get().offset() + length));
    }
}
