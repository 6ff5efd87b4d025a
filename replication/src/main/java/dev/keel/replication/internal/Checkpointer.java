package dev.keel.replication.internal;

import dev.keel.format.WalFrameHeader;
import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when to checkpoint and runs the checkpoint so that no committed frame escapes the shadow WAL:
 * PASSIVE once the WAL holds {@code min-checkpoint-page-count} pages or {@code checkpoint-interval}
 * passed, RESTART (retried while readers keep it busy) past {@code max-checkpoint-page-count}.
 */
final class Checkpointer {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    private static final int RESTART_ATTEMPTS = 3;

    private final DatabaseConfig config;
    private final DatabaseHandle handle;
    private final ReplicationListener listener;
    private long lastCheckpointNanos = System.nanoTime();
    private Runnable betweenCheckpointAndWriteLock = () -> {
    };
    private Runnable afterOwnWrite = () -> {
    };

    Checkpointer(DatabaseConfig config, DatabaseHandle handle, ReplicationListener listener) {
        this.config = config;
        this.handle = handle;
        this.listener = listener;
    }

    /**
     * Tests run real writes of another connection here, in the window where the application may restart
     * the WAL before Keel holds the write lock.
     */
    void betweenCheckpointAndWriteLock(Runnable action) {
        this.betweenCheckpointAndWriteLock = action;
    }

    /**
     * Tests run real writes and checkpoints of another connection here, after Keel's own write committed
     * and before Keel takes its read transaction again: the write lock is free and nothing holds the WAL,
     * so for that instant the application may checkpoint and restart it once more.
     */
    void afterOwnWrite(Runnable action) {
        this.afterOwnWrite = action;
    }

    /** The mode the policy calls for now, or null for none. */
    String due(ShadowState state) {
        long frames = state.frames();
        if (frames >= config.maxCheckpointPageCount()) return "RESTART";
        if (frames >= config.minCheckpointPageCount()) return "PASSIVE";
        long since = System.nanoTime() - lastCheckpointNanos;
        if (frames > 1 && since >= config.checkpointInterval().toNanos()) return "PASSIVE";
        return null;
    }

    /** The shadow WAL, as the checkpoint needs it. */
    interface Shadow {
        /** Copies what the WAL holds beyond the shadow (called with SQLite's write lock held) and returns the shadow's state. */
        ShadowState copy() throws IOException;

        /**
         * After a WAL restart Keel did not make, seen with {@code header}: copies what the old WAL still holds
         * beyond the shadow and returns null when the restart is proven continuous ({@link RestartProof}),
         * otherwise why not.
         */
        String unprovenRestart(byte[] header) throws IOException;
    }

    /**
     * What a checkpoint did: SQLite's result, and the WAL restart the next continuity check may accept
     * as continuous ({@code acceptedRestart}, the header it must have; null for none) or, when the WAL
     * restarted in a way Keel cannot prove continuous, why ({@code unprovenRestart}).
     */
    record Outcome(String mode, DatabaseHandle.CheckpointResult result, byte[] acceptedRestart, String unprovenRestart) {
    }

    /**
     * Runs a checkpoint. The read transaction is released only for the checkpoint itself. Afterwards
     * Keel takes the write lock, copies whatever was committed meanwhile with {@code copy} (the WAL
     * cannot change while the lock is held), and writes one row of its own: if the checkpoint was
     * complete that write restarts the WAL, and the header it produces is accepted as continuous by the
     * next verify; so is a restart by another connection in these windows when {@link RestartProof}
     * holds. Returns that decision; the monitor acts on it.
     */
    Outcome checkpoint(ShadowState before, String mode, Shadow shadow) throws IOException, SQLException {
        long started = System.nanoTime();
        Throwable failure = null;
        try {
            return run(before, mode, shadow);
        } catch (IOException | SQLException | RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            try {
                listener.checkpointFinished(handle.path(), mode, java.time.Duration.ofNanos(System.nanoTime() - started), failure);
            } catch (RuntimeException ignored) {
                // a listener must not change the checkpoint's outcome
            }
        }
    }

    private Outcome run(ShadowState before, String mode, Shadow shadow) throws IOException, SQLException {
        DatabaseHandle.CheckpointResult result;
        byte[] accepted = null;
        String unproven = null;
        handle.releaseReadLock();
        try {
            result = handle.checkpoint(mode);
            for (int i = 1; i < RESTART_ATTEMPTS && "RESTART".equals(mode) && result.busy(); i++) {
                result = handle.checkpoint(mode);
            }
            betweenCheckpointAndWriteLock.run();
            handle.beginWrite();
            boolean restartedBeforeUs;
            try {
                byte[] header = walHeader();
                // Copy whatever the old WAL holds beyond our copy. With the write lock held nothing moves;
                // if another connection already restarted the WAL (its first write after our complete
                // checkpoint), the old frames are still in the file unless the new WAL overwrote them, and
                // the proof tells which.
                shadow.copy();
                restartedBeforeUs = !Arrays.equals(header, before.headerBytes());
                if (restartedBeforeUs) {
                    String why = shadow.unprovenRestart(header);
                    if (why == null) {
                        accepted = header;
                    } else {
                        unproven = "another connection restarted the WAL right after Keel's checkpoint, and Keel cannot prove "
                                + "it copied every frame first: " + why;
                    }
                }
                handle.writeSeq();
                handle.commitWrite();
            } catch (IOException | SQLException | RuntimeException e) {
                handle.rollbackWrite();
                throw e;
            }
            if (!restartedBeforeUs) {
                afterOwnWrite.run();
                handle.acquireReadLock(); // from here on nobody restarts the WAL: read what Keel's write left
                byte[] after = walHeader();
                if (!Arrays.equals(after, before.headerBytes())) {
                    String why = restartedByOwnWrite(before, after) ? null : shadow.unprovenRestart(after);
                    if (why == null) {
                        accepted = after;
                    } else {
                        unproven = "the WAL restarted right after Keel's own write, by another connection's checkpoint, "
                                + "and Keel cannot prove it copied every frame first: " + why;
                    }
                }
            }
        } finally {
            handle.acquireReadLock();
        }
        lastCheckpointNanos = System.nanoTime();
        LOG.debug("{}: checkpoint {} at {}: {} of {} WAL frames written to the database{}", handle.path(), mode,
                before.position(), result.checkpointed(), result.walFrames(), result.busy() ? " (busy: readers held it back)" : "");
        listener.checkpointed(handle.path(), mode, result.walFrames(), result.checkpointed(), result.busy());
        return new Outcome(mode, result, accepted, unproven);
    }

    private byte[] walHeader() throws IOException {
        byte[] header = new byte[WalHeader.SIZE];
        if (WalScanner.readFully(handle.wal(), header, 0) < header.length) {
            throw new IOException("the WAL " + handle.walPath() + " has no header");
        }
        return header;
    }

    /**
     * True when the header read after Keel's own write is the restart that write made: salt-1 moved on by
     * exactly one (SQLite adds one at each restart) and the new WAL's first frame is Keel's write, one
     * commit of its own table's page. A restart by the application instead (after Keel's write went to the
     * old WAL, behind frames Keel has not copied yet) begins with a page of the application's.
     */
    private boolean restartedByOwnWrite(ShadowState before, byte[] after) throws IOException {
        WalHeader now = WalHeader.parse(after);
        if (now.salt1() != before.header().salt1() + 1) return false;
        byte[] frame = new byte[WalFrameHeader.SIZE];
        if (WalScanner.readFully(handle.wal(), frame, WalHeader.SIZE) < frame.length) return false;
        WalFrameHeader first = WalFrameHeader.parse(frame, 0);
        return now.saltsMatch(first) && first.isCommit() && first.pageNumber() == handle.seqPage();
    }
}
