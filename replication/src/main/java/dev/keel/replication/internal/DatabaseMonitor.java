package dev.keel.replication.internal;

import dev.keel.replication.cipher.AgeCipher;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Collection;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one SQLite database: verifies that the real WAL still continues the shadow WAL and copies newly
 * committed frames into it (both in its {@link ShadowFollower}), checkpoints when the policy says so,
 * parks and takes back an idle database, and takes snapshots for replicas. All of that happens under one
 * lock, so a tick, a replica's request and a final sync never interleave.
 */
public final class DatabaseMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMonitor.class);

    private final DatabaseConfig config;
    private final Path db;
    private final ShadowWal shadow;
    private final WriteGate gate;
    private final ReplicationListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final DatabaseHandle handle;
    private final Checkpointer checkpointer;
    private final ShadowCleanup cleanup;
    private final ShadowFollower follower;
    private final SnapshotReader snapshots;
    private final WalProbe probe = new WalProbe();
    /** The files' stats when the probe last found the WAL unchanged; null when unknown or racy. */
    private ParkedStamp quietStamp;

    /** Held for the monitor's lifetime so no second replicator follows the same database. */
    private MetaLock metaLock;

    /** This database's place in the budget, and its files while parked; see {@link #park()}. */
    private Parking parking;
    /** True once a round checked continuity since the database was opened (a database parked at open was not). */
    private boolean verified;
    /** When a round last found something to copy, or the database was opened or taken back. */
    private volatile long lastActiveNanos = System.nanoTime();

    private DatabaseMonitor(DatabaseConfig config, DatabaseHandle handle, ShadowWal shadow, WriteGate gate,
                            ReplicationListener listener) {
        this.config = config;
        this.db = config.path();
        this.handle = handle;
        this.shadow = shadow;
        this.gate = gate;
        this.listener = listener;
        this.checkpointer = new Checkpointer(config, handle, listener);
        this.cleanup = new ShadowCleanup(shadow);
        this.follower = new ShadowFollower(db, handle, shadow, listener);
        this.snapshots = new SnapshotReader(handle, shadow, gate);
    }

    /**
     * Opens the database and the shadow WAL and reads back where the shadow stood; throws a
     * {@link dev.keel.core.KeelException} when the database is missing or not SQLite.
     */
    public static DatabaseMonitor open(DatabaseConfig config, ReplicationListener listener, WriteGate gate)
            throws IOException {
        return open(config, listener, gate, HoldBudget.UNLIMITED);
    }

    /**
     * Opens as above on a place of {@code budget}; when none is free, the database is not opened now but
     * starts parked (not verified yet: its first round takes it back once a place is free and checks
     * continuity then, as after a restart), so a fleet larger than the budget opens each database once.
     */
    static DatabaseMonitor open(DatabaseConfig config, ReplicationListener listener, WriteGate gate, HoldBudget budget)
            throws IOException {
        Path meta = config.resolvedMetaPath();
        MetaLock metaLock = null;
        boolean place = budget.tryHoldAtOpen();
        DatabaseHandle handle;
        try { // first: a clear error for a missing (or, when opened now, non-SQLite) db
            handle = place ? DatabaseHandle.open(config.path()) : DatabaseHandle.unopened(config.path());
        } catch (RuntimeException e) {
            if (place) budget.release();
            throw e;
        }
        try {
            Files.createDirectories(meta);
            metaLock = MetaLock.acquire(meta, config.path());
            ShadowWal shadow = new ShadowWal(meta, gate);
            shadow.clearTemp();
            DatabaseMonitor monitor = new DatabaseMonitor(config, handle, shadow, gate, listener);
            monitor.metaLock = metaLock;
            monitor.follower.recover();
            monitor.parking = new Parking(monitor.db, handle, budget, place);
            if (!place) monitor.parkedEvent(true);
            return monitor;
        } catch (IOException | RuntimeException e) {
            handle.close();
            if (place) budget.release();
            if (metaLock != null) metaLock.close();
            throw e;
        }
    }

    /**
     * Tells the monitor where its replicas stand, so it deletes only shadow WAL they all uploaded; the
     * supplier returns null while some replica's position is still unknown.
     */
    public void replicaPositions(Supplier<Collection<Position>> positions) {
        cleanup.replicaPositions(positions);
    }

    public Path path() {
        return db;
    }

    public DatabaseConfig config() {
        return config;
    }

    /** The database's page size in bytes. */
    public int pageSize() {
        return handle.pageSize();
    }

    /**
     * The end of the shadow WAL: everything before it is committed and copied locally (and fsynced
     * before any replica uploads it, see {@link #makeDurable}). Null before the first sync.
     */
    public Position position() {
        return follower.position();
    }

    /** Frames the shadow holds of the WAL's current index: after a round, about what the WAL holds. */
    long walFrames() {
        ShadowState s = follower.state();
        return s == null ? 0 : s.frames();
    }

    Checkpointer checkpointer() {
        return checkpointer;
    }

    ShadowWal shadow() {
        return shadow;
    }

    WriteGate gate() {
        return gate;
    }

    /**
     * One round: verify continuity, copy committed frames, checkpoint if due, delete uploaded shadow WAL.
     * Returns how many WAL bytes this round copied (the scheduler ticks sooner while the WAL grows fast).
     */
    public long sync() throws IOException, SQLException {
        lock.lock();
        try {
            if (handle.isParked()) {
                if (!parkedChanged()) {
                    cleanup.clean(follower.state());
                    return 0;
                }
                if (!takeBack()) return 0; // no place free: the next tick tries again
            }
            resetProbe(); // until this round completes, the next check reports a change
            long copiedBefore = follower.copiedBytes();
            verifyAndCopy();
            verified = true;
            ShadowState state = follower.state();
            String mode = checkpointer.due(state, (follower.copiedBytes() - copiedBefore) / state.header().frameSize());
            if (mode != null) {
                checkpoint(mode);
                verifyAndCopy(); // start the next index right away when the WAL restarted
            }
            cleanup.clean(follower.state());
            probe.capture(handle.wal(), follower.probeAt(), follower.state().headerBytes());
            long copied = follower.copiedBytes() - copiedBefore;
            if (copied > 0) lastActiveNanos = System.nanoTime();
            return copied;
        } finally {
            handle.closeWal();
            lock.unlock();
        }
    }

    /**
     * A round that must see every commit made before the call ({@code awaitReplicated}): a parked
     * database is taken back first, and when no place of the budget is free this throws rather than
     * return as if nothing had been committed.
     */
    public long syncHeld() throws IOException, SQLException {
        lock.lock();
        try {
            requireHeld("a caller waiting for replication");
            return sync();
        } finally {
            lock.unlock();
        }
    }

    private void resetProbe() {
        probe.reset();
        quietStamp = null;
    }

    /** True when a parked database must be taken back: its files changed, it was never verified, or a new generation is asked for. */
    private boolean parkedChanged() {
        return !verified || follower.newGenerationRequested() || parking.changed(follower.state() != null);
    }

    /**
     * Takes a parked database back when the budget has a place: opens it again and lets the next
     * continuity check decide, as after a restart, whether the WAL still continues the shadow (the
     * same header, and the last frame copied still in place) or a new generation starts. False when
     * no place is free.
     */
    private boolean takeBack() {
        Parking.TakenBack taken = parking.takeBack();
        if (taken == null) return false;
        if (taken.newGeneration() != null) follower.requestNewGeneration(taken.newGeneration());
        follower.unprovenRestart(taken.unprovenRestart());
        parkedEvent(false);
        resetProbe();
        lastActiveNanos = System.nanoTime();
        return true;
    }

    /** True when the database is parked and its next round takes it back (it changed, or was never verified). */
    boolean wantsTakeBack() {
        lock.lock();
        try {
            return handle.isParked() && parkedChanged();
        } finally {
            lock.unlock();
        }
    }

    /** True while parked: nothing held, checked with a stat each tick. */
    public boolean isParked() {
        return handle.isParked();
    }

    /** True while the database is held open. */
    boolean isHeld() {
        return handle.isOpen();
    }

    long lastActiveNanos() {
        return lastActiveNanos;
    }

    /**
     * Lets go of an idle database to free its descriptors: copies every committed frame to the shadow
     * WAL first, then ends the read transaction and closes everything, and records what the WAL looked
     * like ({@link ParkedStamp}). False (nothing done) when a round is running or the database is not in
     * a state to be parked. While parked, the application's own checkpoints may restart the WAL; the
     * take-back then sees a new header and starts a new generation, so no gap is ever hidden.
     */
    boolean park() {
        if (!lock.tryLock()) return false;
        try {
            if (!handle.isOpen() || follower.state() == null || follower.newGenerationRequested() || !verified) return false;
            verifyAndCopy();
            if (follower.newGenerationRequested()) return false;
            letGo();
            return true;
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.debug("{}: not parked: {}", db, e.getMessage());
            return false;
        } finally {
            handle.closeWal();
            lock.unlock();
        }
    }

    /** Closes everything and records the files; the caller holds the lock or owns the monitor alone. */
    private void letGo() throws IOException {
        resetProbe();
        ShadowState state = follower.state();
        parking.letGo(state == null ? null : state.headerBytes(), follower.probeAt());
        parkedEvent(true);
    }

    private void parkedEvent(boolean parked) {
        try {
            listener.databaseParked(db, parked);
        } catch (RuntimeException ignored) {
            // a listener must not stop replication
        }
    }


    /**
     * True when a round now would find nothing to do: the WAL reads as the last round left it (see
     * {@link WalProbe}), no checkpoint is due, no new generation is asked for, and the database file is
     * still the one held. Once the probe found the WAL unchanged, the two files' stats at that moment
     * are kept (when their times are not racy, see {@link ParkedStamp}), and while they stay the same
     * the check costs those two stats only; false when a round is running.
     */
    public boolean quiet() {
        if (!lock.tryLock()) return false;
        try {
            // A parked database that changed waits quietly while no place is free (it counts as waiting).
            if (handle.isParked()) return (!parkedChanged() || !parking.placeFree()) && !cleanup.due();
            if (follower.state() == null || follower.newGenerationRequested() || !handle.isOpen()) return false;
            if (checkpointer.due(follower.state(), 0) != null || cleanup.due()) return false;
            ParkedStamp seen = quietStamp;
            if (seen != null && !seen.changed(db, handle.walPath())) return true;
            ParkedStamp now = ParkedStamp.of(db, handle.walPath()); // before the probe: a write after it changes the stats
            boolean unchanged = handle.replacement() == null && probe.unchanged(handle.wal());
            quietStamp = unchanged && !now.racy() ? now : null;
            return unchanged;
        } catch (IOException e) {
            return false; // the round reports it
        } finally {
            handle.closeWal();
            lock.unlock();
        }
    }

    /** See {@link ShadowFollower#verifyAndCopy()}. */
    private void verifyAndCopy() throws IOException, SQLException {
        follower.verifyAndCopy();
    }

    /** True for a generation started in this process (random and new: no replica can hold anything of it yet). */
    boolean startedHere(Generation generation) {
        return follower.startedHere(generation);
    }

    /** See {@link ShadowFollower#makeDurable(Position)}: a replica calls it before it uploads shadow WAL. */
    void makeDurable(Position upTo) throws IOException {
        follower.makeDurable(upTo);
    }

    /** How far the shadow WAL is known to be fsynced; null before the first fsync (tests). */
    Position durablePosition() {
        return follower.durablePosition();
    }

    ShadowState state() {
        return follower.state();
    }

    /** True while a new generation is asked for and the next round has not started it yet. */
    boolean newGenerationRequested() {
        return follower.newGenerationRequested();
    }

    /**
     * Asks for a new generation at the next sync. A replica that lost WAL it never uploaded cannot go on
     * in the same generation: a restore may start from any snapshot of a generation and needs every WAL
     * index after it, so a generation's WAL must have no gaps.
     */
    public void requestNewGeneration(String reason) {
        follower.requestNewGeneration(reason); // quiet() reads it: the next tick runs a round
    }

    /** Runs a checkpoint and keeps its decision about the next WAL restart for the next continuity check. */
    void checkpoint(String mode) throws IOException, SQLException {
        Checkpointer.Outcome outcome = checkpointer.checkpoint(follower.state(), mode, new Checkpointer.Shadow() {
            @Override
            public ShadowState copy() throws IOException {
                follower.copy();
                return follower.state();
            }

            @Override
            public void force() throws IOException {
                follower.forceToEnd();
            }

            @Override
            public String unprovenRestart(byte[] header) throws IOException {
                follower.copy(); // the old WAL's frames beyond the shadow, while they are still there
                return RestartProof.unproven(handle.wal(), follower.state(), follower.probeAt(), header);
            }
        });
        follower.expectRestart(outcome.acceptedRestart(), outcome.unprovenRestart());
    }

    /**
     * Prepares a snapshot: checkpoints so the db file holds as much as possible, copies what is left,
     * lets the caller claim the position (see below),
     * then reads the db file under the read transaction (through the channel held since open). Frames
     * a concurrent checkpoint writes into the file while it is read are all in the snapshot's WAL index,
     * so replaying that index from offset 0 on restore repairs any page read mid-write.
     *
     * <p>{@code firstOfIndex}: the replica holds nothing of the current WAL index yet (see
     * {@link Replica}), so it will upload the index from offset 0 after the snapshot. The checkpoint is
     * then skipped while the index is small: restore replays the whole index over the db file, which
     * gives the same database, and a fleet's first start saves a checkpoint per database (the second
     * connection, whose descriptor SQLite keeps, a WAL restart and its fsyncs). See
     * {@link SnapshotReader#readUnlessWritten} for why the snapshot alone stays a consistent database.
     */
    public Snapshot snapshot(java.util.function.Consumer<Position> claim, AgeCipher cipher, boolean firstOfIndex)
            throws IOException, SQLException {
        lock.lock();
        try {
            requireHeld("a snapshot");
            resetProbe();
            verifyAndCopy();
            if (firstOfIndex && SnapshotReader.smallIndex(follower.state())) {
                Snapshot unchecked = snapshots.readUnlessWritten(follower.state(), claim, cipher);
                if (unchecked != null) return unchecked;
            }
            checkpoint("PASSIVE");
            verifyAndCopy();
            return snapshots.read(follower.state(), claim, cipher);
        } finally {
            handle.closeWal();
            lock.unlock();
        }
    }

    /**
     * Writes the database as it is at the end of the shadow WAL into {@code out} (for validation) and
     * returns that position. Runs under the monitor lock, so no checkpoint of Keel's moves the WAL on.
     */
    Position liveImage(Path out) throws IOException, SQLException {
        lock.lock();
        try {
            requireHeld("validation");
            resetProbe();
            verifyAndCopy();
            Position at = follower.state().position();
            try (FileChannel wal = shadow.openForRead(at.generation(), at.index())) {
                Validator.buildImage(handle.dbFile(), Validator.open(wal, at.offset()), handle.pageSize(), out);
            }
            return at;
        } finally {
            handle.closeWal();
            lock.unlock();
        }
    }

    /** A parked database could not be taken back: every place of the budget is held (the loops free one soon). */
    static final class NoFreePlace extends IOException {
        NoFreePlace(String message) {
            super(message);
        }
    }

    /** Takes a parked database back for work that reads it; throws when no place is free (the loop retries). */
    private void requireHeld(String what) throws IOException {
        if (handle.isParked() && !takeBack()) {
            throw new NoFreePlace("the database is parked and every place of the descriptor budget (" + parking.budget().limit()
                    + " databases held) is taken; " + what + " waits for one");
        }
    }

    /** A snapshot ready to upload: the db file as of the start of WAL index {@code position.index()}. */
    public record Snapshot(Position position, CompressedUpload payload) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            payload.close();
        }
    }

    /** Bytes of shadow WAL in the current index, for messages and tests. */
    long shadowLength(Generation generation, long index) throws IOException {
        return shadow.length(generation, index);
    }

    ReentrantLock lock() {
        return lock;
    }

    @Override
    public void close() {
        close(false);
    }

    /** Closes as {@link #close()}, but leaves SQLite's connection open for the exit that follows (see {@link DatabaseHandle#leaveToExit()}). */
    public void closeBeforeExit() {
        close(true);
    }

    private void close(boolean beforeExit) {
        lock.lock();
        try {
            if (parking != null) parking.close();
            if (beforeExit && handle.isOpen()) {
                handle.leaveToExit();
            } else {
                handle.close();
            }
        } finally {
            try {
                if (metaLock != null) metaLock.close();
            } catch (IOException e) {
                // the lock goes with the process anyway; nothing to keep
            }
            lock.unlock();
        }
    }
}
