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
    private static final int RESTART_ATTEMPTS = 10;
    private static final long RESTART_PAUSE_MS = 5;

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
     * Runs a checkpoint without letting anyone restart the WAL over frames Keel has not copied. A second
     * connection first takes a read transaction at the WAL's end (a {@link DatabaseHandle.Fence}); Keel's
     * main connection then lets go of its own and checkpoints while the application writes on (nobody can
     * restart the WAL while the fence reads it). Keel takes the write lock, drops the fence, checkpoints
     * what was appended meanwhile, copies everything with {@code copy} (nothing moves while the lock is
     * held) and writes one row of its own: if the WAL was fully checkpointed, that write restarts it, and
     * the header it produced is the only restart the next continuity check accepts as continuous.
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
        try (DatabaseHandle.Fence fence = handle.fence()) {
            handle.releaseReadLock();
            try {
                handle.checkpoint("PASSIVE"); // the bulk, with the application's writers running
                betweenCheckpointAndWriteLock.run();
                handle.beginWrite();
                try {
                    fence.release();
                    result = catchUp(fence, mode);
                    byte[] header = walHeader();
                    copy.copy();
                    if (!Arrays.equals(header, before.headerBytes())) {
                        // Only possible when the fence read a fully checkpointed WAL, which stops no restart.
                        unproven = "the WAL restarted while Keel checkpointed, and Keel cannot prove it copied every frame first";
                    }
                    handle.writeSeq();
                    handle.commitWrite();
                } catch (IOException | SQLException | RuntimeException e) {
                    handle.rollbackWrite();
                    throw e;
                }
                if (unproven == null) {
                    afterOwnWrite.run();
                    handle.acquireReadLock(); // from here on nobody restarts the WAL: read what Keel's write left
                    byte[] after = walHeader();
                    if (!Arrays.equals(after, before.headerBytes())) {
                        if (restartedByOwnWrite(before, after)) {
                            accepted = after;
                        } else {
                            unproven = "the WAL restarted again right after Keel's checkpoint (the application checkpointed too), "
                                    + "and Keel cannot prove it copied every frame first";
                        }
                    }
                }
            } finally {
                handle.acquireReadLock();
            }
        }
        lastCheckpointNanos = System.nanoTime();
        LOG.debug("{}: checkpoint {} at {}: {} of {} WAL frames written to the database{}", handle.path(), mode,
                before.position(), result.checkpointed(), result.walFrames(), result.busy() ? " (busy: readers held it back)" : "");
        listener.checkpointed(handle.path(), mode, result.walFrames(), result.checkpointed(), result.busy());
        return new Outcome(mode, result, accepted, unproven);
    }

    /**
     * With the write lock held: checkpoints the frames appended during the first pass. RESTART (the WAL is
     * past {@code max-checkpoint-page-count}) tries a few more times while the application's readers hold
     * it back, as SQLite's RESTART waits for them; writers wait meanwhile, as they do for SQLite's.
     */
    private static DatabaseHandle.CheckpointResult catchUp(DatabaseHandle.Fence fence, String mode) throws SQLException {
        DatabaseHandle.CheckpointResult result = fence.checkpoint();
        for (int i = 1; i < RESTART_ATTEMPTS && "RESTART".equals(mode) && !result.complete(); i++) {
            try {
                Thread.sleep(RESTART_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            result = fence.checkpoint();
        }
        return result;
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
