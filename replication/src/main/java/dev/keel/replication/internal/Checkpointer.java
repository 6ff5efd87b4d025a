package dev.keel.replication.internal;

import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when to checkpoint and runs the checkpoint so that no committed frame escapes the shadow WAL:
 * PASSIVE once the WAL holds {@code min-checkpoint-page-count} pages (or would soon at the pace of the
 * last round) or {@code checkpoint-interval} passed, RESTART (retried while readers keep it busy) past
 * {@code max-checkpoint-page-count}.
 */
final class Checkpointer {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    private static final long RESTART_WAIT_NANOS = 1_000_000_000L;
    private static final long RESTART_POLL_NANOS = 2_000_000L;
    private static final int PRE_COPIES = 4;
    private static final int SMALL_TAIL_FRAMES = 64;

    private final DatabaseConfig config;
    private final DatabaseHandle handle;
    private final ReplicationListener listener;
    private long lastCheckpointNanos = System.nanoTime();
    /**
     * Where the shadow stood when Keel first found the WAL, and its frames then: no write since, so no
     * interval checkpoint (see {@link #due}). Only these, not the state: it holds a whole frame.
     */
    private dev.keel.replication.api.Position found;
    private long foundFrames;
    private boolean checkpointedSinceFound;
    private Runnable betweenCheckpointAndWriteLock = () -> {
    };
    private Runnable beforeOwnWrite = () -> {
    };

    Checkpointer(DatabaseConfig config, DatabaseHandle handle, ReplicationListener listener) {
        this.config = config;
        this.handle = handle;
        this.listener = listener;
    }

    /**
     * Tests run real writes and checkpoints of another connection here, after Keel's first checkpoint and
     * before Keel holds the write lock, while only the fence's read holds the WAL.
     */
    void betweenCheckpointAndWriteLock(Runnable action) {
        this.betweenCheckpointAndWriteLock = action;
    }

    /**
     * Tests run real writes and checkpoints of another connection here, after Keel released the write
     * lock and before its own write: only the fence's read holds the WAL, so the application may restart
     * it once.
     */
    void beforeOwnWrite(Runnable action) {
        this.beforeOwnWrite = action;
    }

    /**
     * The mode the policy calls for now, or null for none. {@code framesLastRound} is how many frames the
     * round that asks just copied: when the WAL would pass {@code min-checkpoint-page-count} at that pace
     * before this checkpoint and the next round are over (two rounds' worth), the checkpoint comes now.
     * An application at SQLite's default {@code wal_autocheckpoint} (the same 1000 pages) then does not
     * reach its own threshold, past which each of its commits would try a checkpoint that Keel's read
     * holds back.
     *
     * <p>{@code checkpoint-interval} only applies to a WAL written since Keel's last checkpoint (beyond the
     * one frame of Keel's own write that restarts it) or since Keel first found it: an idle database,
     * whose first snapshot left its small WAL as it was, is never checkpointed for the interval alone,
     * which would write a segment and open the second connection on every idle database of a fleet.
     */
    String due(ShadowState state, long framesLastRound) {
        long frames = state.frames();
        if (frames >= config.maxCheckpointPageCount()) return "RESTART";
        if (frames + 2 * Math.max(0, framesLastRound) >= config.minCheckpointPageCount()) return "PASSIVE";
        if (found == null) {
            found = state.position();
            foundFrames = state.frames();
        }
        long since = System.nanoTime() - lastCheckpointNanos;
        if (frames > quietFrames(state) && since >= config.checkpointInterval().toNanos()) return "PASSIVE";
        return null;
    }

    /** How many frames the WAL index may hold without having been written since Keel last checkpointed or found it. */
    private long quietFrames(ShadowState state) {
        boolean asFound = !checkpointedSinceFound && state.generation().equals(found.generation()) && state.index() == found.index();
        return asFound ? Math.max(1, foundFrames) : 1;
    }

    /** The shadow WAL, as the checkpoint needs it. */
    interface Shadow {
        /** Copies what the WAL holds beyond the shadow (not fsynced yet) and returns the shadow's state. */
        ShadowState copy() throws IOException;

        /** Fsyncs what the copies appended. */
        void force() throws IOException;

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
    record Outcome(String mode, KeelConnections.CheckpointResult result, byte[] acceptedRestart, String unprovenRestart) {
    }

    /**
     * Runs a checkpoint without ever leaving the WAL free to restart over frames Keel has not copied:
     * <ol>
     *   <li>Keel's second connection begins a read (the fence) and the main one releases its own: the
     *       application may append and checkpoint, but the fence keeps the WAL from restarting.</li>
     *   <li>The main connection runs a PASSIVE checkpoint: the bulk of the work, writers not held up.</li>
     *   <li>Keel copies what was committed meanwhile (again while much more came), then takes the write
     *       lock, the fence ends, and Keel copies the rest (the WAL cannot change now), then the fence
     *       connection checkpoints that tail. In RESTART mode it tries again for up to a second while the
     *       application's readers hold it back (writers wait, as SQLite's RESTART makes them). None of
     *       these copies is fsynced until the end (see {@link ShadowFollower#copy()}).</li>
     *   <li>The fence begins again, still under the write lock. On a fully checkpointed WAL it reads the
     *       database file, which lets the WAL restart once but keeps every later frame from being
     *       checkpointed, so no second restart can come while it is held; every frame the WAL held at
     *       that moment is in the shadow.</li>
     *   <li>The write lock is released and Keel writes one row of its own: its write restarts the WAL,
     *       unless the application's first write did. Either way that single restart is continuous, and
     *       its header is the outcome.</li>
     *   <li>The main connection begins Keel's read lock again, now on a frame of the new WAL, and the
     *       fence ends. Left on the database file alone, Keel's read would let every checkpoint attempt
     *       of the application (one per commit once the WAL passes its {@code wal_autocheckpoint}) sort
     *       the whole WAL's page list before finding it cannot proceed; on a frame, the first attempt
     *       checkpoints up to it and the later ones end at once. (Keel does not checkpoint up to it
     *       itself: a WAL left fully checkpointed would restart at the application's next write once
     *       Keel lets go of the database, parked or stopped, and cost a new generation.)</li>
     * </ol>
     * A restart found under the write lock (possible only when the fence itself began on a fully
     * checkpointed WAL) is judged by {@link RestartProof}. Returns that decision; the monitor acts on it.
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
        KeelConnections.CheckpointResult result;
        byte[] accepted = null;
        String unproven = null;
        try {
            handle.beginFence();
            handle.releaseReadLock();
            result = handle.checkpoint("PASSIVE");
            betweenCheckpointAndWriteLock.run();
            preCopy(shadow);
            handle.wal().force(false); // what the tail's checkpoint would fsync under the write lock, mostly done here
            shadow.copy(); // what came during that fsync
            handle.beginWrite();
            byte[] header;
            boolean restartedBeforeUs;
            try {
                handle.endFence();
                header = walHeader();
                shadow.copy(); // the rest: small, and fsynced once the write lock is released
                restartedBeforeUs = !Arrays.equals(header, before.headerBytes());
                if (restartedBeforeUs) {
                    String why = shadow.unprovenRestart(header);
                    if (why == null) {
                        accepted = header;
                    } else {
                        unproven = "another connection restarted the WAL right after Keel's checkpoint, and Keel cannot prove "
                                + "it copied every frame first: " + why;
                    }
                    handle.writeSeq();
                    handle.commitWrite();
                } else {
                    result = checkpointTail(mode);
                    handle.beginFence();
                    handle.rollbackWrite();
                }
            } catch (IOException | SQLException | RuntimeException e) {
                handle.rollbackWrite();
                throw e;
            }
            if (!restartedBeforeUs) {
                beforeOwnWrite.run();
                handle.bumpSeq();
                byte[] after = walHeader(); // the fence still holds: at most one restart came
                if (!Arrays.equals(after, header)) {
                    int moved = WalHeader.parse(after).salt1() - WalHeader.parse(header).salt1();
                    if (moved == 1 && WalHeader.parse(after).pageSize() == WalHeader.parse(header).pageSize()) {
                        accepted = after;
                    } else {
                        unproven = "the WAL restarted more than once while Keel held it (salt-1 moved on by "
                                + Integer.toUnsignedString(moved) + ")";
                    }
                }
                handle.acquireReadLock(); // after Keel's write: on a frame of the WAL, never on the database file alone
            }
            shadow.force();
        } finally {
            handle.closeFence();
            handle.acquireReadLock();
        }
        lastCheckpointNanos = System.nanoTime();
        checkpointedSinceFound = true;
        LOG.debug("{}: checkpoint {} at {}: {} of {} WAL frames written to the database{}", handle.path(), mode,
                before.position(), result.checkpointed(), result.walFrames(), result.busy() ? " (busy: readers held it back)" : "");
        listener.checkpointed(handle.path(), mode, result.walFrames(), result.checkpointed(), result.busy());
        return new Outcome(mode, result, accepted, unproven);
    }

    /**
     * Copies what was committed since the copy before the checkpoint, again while a copy still finds more
     * than {@link #SMALL_TAIL_FRAMES} frames (up to {@link #PRE_COPIES} times), so that what is left to
     * copy and checkpoint under the write lock is small. Not fsynced yet: the fsync comes once, at the end.
     */
    private static void preCopy(Shadow shadow) throws IOException {
        long end = -1;
        for (int i = 0; i < PRE_COPIES; i++) {
            ShadowState s = shadow.copy();
            if (end >= 0 && (s.end() - end) / s.header().frameSize() <= SMALL_TAIL_FRAMES) return;
            end = s.end();
        }
    }

    /** The tail's checkpoint, under the write lock; in RESTART mode retried while readers hold it back. */
    private KeelConnections.CheckpointResult checkpointTail(String mode) throws SQLException {
        KeelConnections.CheckpointResult result = handle.checkpointOnFence();
        long deadline = System.nanoTime() + RESTART_WAIT_NANOS;
        while ("RESTART".equals(mode) && !result.complete() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(RESTART_POLL_NANOS);
            result = handle.checkpointOnFence();
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
}
