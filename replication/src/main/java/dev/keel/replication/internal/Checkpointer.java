package dev.keel.replication.internal;

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

    /** The mode the policy calls for now, or null for none. */
    String due(ShadowState state) {
        long frames = state.frames();
        if (frames >= config.maxCheckpointPageCount()) return "RESTART";
        if (frames >= config.minCheckpointPageCount()) return "PASSIVE";
        long since = System.nanoTime() - lastCheckpointNanos;
        if (frames > 1 && since >= config.checkpointInterval().toNanos()) return "PASSIVE";
        return null;
    }

    /** Copies what the WAL holds beyond the shadow (called with SQLite's write lock held) and returns the shadow's state. */
    @FunctionalInterface
    interface Copy {
        ShadowState copy() throws IOException;
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
     * complete that write restarts the WAL, and the header it produces is the only restart the next
     * verify accepts as continuous. Returns that decision; the monitor acts on it.
     */
    Outcome checkpoint(ShadowState before, String mode, Copy copy) throws IOException, SQLException {
        long started = System.nanoTime();
        Throwable failure = null;
        try {
            return run(before, mode, copy);
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

    private Outcome run(ShadowState before, String mode, Copy copy) throws IOException, SQLException {
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
            try {
                byte[] header = walHeader();
                // Copy whatever the old WAL holds beyond our copy. With the write lock held nothing moves;
                // if another connection already restarted the WAL, the old frames are still in the file
                // unless the new WAL overwrote them, and the copy stops at the first frame that is not old.
                ShadowState copied = copy.copy();
                boolean restartedBeforeUs = !Arrays.equals(header, before.headerBytes());
                if (restartedBeforeUs && restartedOnceAfter(before, header, result, copied.frames())) {
                    // Another connection's first write after our complete checkpoint restarted the WAL, and
                    // the shadow holds exactly the frames the checkpoint saw.
                    accepted = header;
                }
                handle.writeSeq();
                handle.commitWrite();
                if (!restartedBeforeUs) {
                    byte[] after = walHeader();
                    if (!Arrays.equals(after, before.headerBytes())) accepted = after; // our own write restarted it
                }
                if (restartedBeforeUs && accepted == null) {
                    unproven = "another connection restarted the WAL right after Keel's checkpoint, and Keel cannot prove it copied every frame first";
                }
            } catch (IOException | SQLException | RuntimeException e) {
                handle.rollbackWrite();
                throw e;
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
     * True when the WAL was restarted exactly once since our checkpoint, which was complete and saw exactly
     * the frames the shadow holds. A restart after frames appended behind our checkpoint would need another
     * complete checkpoint by the application within these few milliseconds; that case is not detectable
     * here and is documented.
     */
    private static boolean restartedOnceAfter(ShadowState before, byte[] header, DatabaseHandle.CheckpointResult result,
                                              long shadowFrames) {
        // SQLite adds one to salt-1 at each restart (the checkpoint sequence number in the header is kept
        // per connection, so it proves nothing).
        WalHeader now = WalHeader.parse(header);
        return result.complete() && result.walFrames() == shadowFrames && now.salt1() == before.header().salt1() + 1;
    }
}
