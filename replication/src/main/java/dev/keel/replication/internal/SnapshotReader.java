package dev.keel.replication.internal;

import dev.keel.replication.api.Position;
import dev.keel.replication.cipher.AgeCipher;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a held database file into a compressed snapshot, under the monitor's lock and Keel's read
 * transaction (see {@link DatabaseMonitor#snapshot}).
 */
final class SnapshotReader {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMonitor.class);
    /** Frames in a WAL index below which a snapshot uploads the index beside it rather than checkpoint first. */
    static final int SMALL_INDEX_FRAMES = 256;

    private final DatabaseHandle handle;
    private final ShadowWal shadow;
    private final WriteGate gate;

    SnapshotReader(DatabaseHandle handle, ShadowWal shadow, WriteGate gate) {
        this.handle = handle;
        this.shadow = shadow;
        this.gate = gate;
    }

    static boolean smallIndex(ShadowState state) {
        return state.frames() < SMALL_INDEX_FRAMES;
    }

    /**
     * The snapshot read without a checkpoint first, or null when the db file may have been written while
     * it was read (its size or time moved, or its time is too recent for a write in the same clock tick
     * to show): another connection's checkpoint may then have torn a page. Replaying the index repairs
     * such a page, but a replica that stored the snapshot and not yet the index (a crash in between)
     * must still restore to a consistent database, as after a checkpoint, when nothing is left for
     * another connection to write into the file.
     */
    DatabaseMonitor.Snapshot readUnlessWritten(ShadowState state, Consumer<Position> claim, AgeCipher cipher) throws IOException {
        ParkedStamp.File before = ParkedStamp.File.of(handle.file());
        if (before.racyAt(System.currentTimeMillis() * 1_000_000L)) return null;
        DatabaseMonitor.Snapshot snapshot = read(state, claim, cipher);
        if (ParkedStamp.File.of(handle.file()).equals(before)) return snapshot;
        snapshot.close();
        LOG.debug("{}: the db file was written while its snapshot was read; checkpointing first", handle.path());
        return null;
    }

    /** Claims the shadow's position {@code state} and reads the db file into a compressed snapshot. */
    DatabaseMonitor.Snapshot read(ShadowState state, Consumer<Position> claim, AgeCipher cipher) throws IOException {
        // The replica claims the snapshot's WAL index before the lock is released, so no cleanup
        // deletes the shadow WAL it must upload next while the snapshot itself is uploading.
        Position at = new Position(state.generation(), state.index(), 0);
        claim.accept(at);
        FileChannel file = handle.dbFile();
        long size = file.size() - file.size() % handle.pageSize();
        return new DatabaseMonitor.Snapshot(at, CompressedUpload.of(file, 0, size, gate, shadow.tempDir(), handle.pageSize(), cipher));
    }
}
