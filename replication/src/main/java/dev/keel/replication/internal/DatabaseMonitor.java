package dev.keel.replication.internal;

import dev.keel.replication.cipher.AgeCipher;
import dev.keel.format.WalFormatException;
import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one SQLite database: verifies that the real WAL still continues the shadow WAL, copies newly
 * committed frames into it, checkpoints when the policy says so, and takes snapshots for replicas.
 * All of that happens under one lock, so a tick, a replica's request and a final sync never interleave.
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
    private ShadowState state;
    private long copiedBytes;
    private byte[] expectedRestartHeader;
    private String unprovenRestart;
    private volatile String newGenerationRequest;
    /** Why the database file is being opened again (kept while the new file cannot be opened yet). */
    private String replacedBecause;
    private volatile Position published;
    /** How far the shadow WAL is known to be fsynced (its earlier indexes were, before each checkpoint); null: not known. */
    private volatile Position durable;
    private final WalProbe probe = new WalProbe();
    /** The files' stats when the probe last found the WAL unchanged; null when unknown or racy. */
    private ParkedStamp quietStamp;
    private volatile Generation startedHere;
    /** Offset of the first WAL frame the last scan did not accept. */
    private long probeAt;

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
            monitor.recoverState();
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

    private void recoverState() throws IOException {
        Optional<Generation> generation = shadow.currentGeneration();
        if (generation.isEmpty()) return;
        List<Long> indexes = shadow.indexes(generation.get());
        if (indexes.isEmpty()) return;
        long index = indexes.get(indexes.size() - 1);
        shadow.recover(generation.get(), index).ifPresent(tail -> {
            state = new ShadowState(generation.get(), index, tail.headerBytes(), tail.header(), tail.end(),
                    tail.checksum(), tail.lastFrame());
            published = state.position();
        });
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
        return published;
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
                    cleanup.clean(state);
                    return 0;
                }
                if (!takeBack()) return 0; // no place free: the next tick tries again
            }
            resetProbe(); // until this round completes, the next check reports a change
            long copiedBefore = copiedBytes;
            verifyAndCopy();
            verified = true;
            String mode = checkpointer.due(state, (copiedBytes - copiedBefore) / state.header().frameSize());
            if (mode != null) {
                checkpoint(mode);
                verifyAndCopy(); // start the next index right away when the WAL restarted
            }
            cleanup.clean(state);
            probe.capture(handle.wal(), probeAt, state.headerBytes());
            long copied = copiedBytes - copiedBefore;
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
        return !verified || newGenerationRequest != null || parking.changed(state != null);
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
        if (taken.newGeneration() != null) newGenerationRequest = taken.newGeneration();
        if (taken.unprovenRestart() != null) unprovenRestart = taken.unprovenRestart();
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
            if (!handle.isOpen() || state == null || newGenerationRequest != null || !verified) return false;
            verifyAndCopy();
            if (newGenerationRequest != null) return false;
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
        parking.letGo(state == null ? null : state.headerBytes(), probeAt);
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
            if (state == null || newGenerationRequest != null || !handle.isOpen()) return false;
            if (checkpointer.due(state, 0) != null || cleanup.due()) return false;
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

    /**
     * Checks that the real WAL continues the shadow WAL and copies what was committed since. When it does
     * not, starts the next WAL index (after Keel's own checkpoint restarted the WAL) or a new generation.
     */
    void verifyAndCopy() throws IOException, SQLException {
        String replaced = handle.replacement();
        if (replaced != null) {
            followReplacement(replaced);
        }
        continueShadow();
    }

    /**
     * The file at the database's path is not the one Keel holds (an operator moved another database into
     * place, or it was deleted and created again): SQLite's connections and Keel's channels would keep
     * reading the old file and never see a write again. Copies what the old WAL still holds, then opens
     * the new file and starts a new generation, whose snapshot is taken from it.
     */
    private void followReplacement(String replaced) throws IOException, SQLException {
        if (handle.isOpen()) { // not a retry after opening the new file failed
            replacedBecause = replaced;
            try {
                continueShadow(); // frames committed to the old WAL just before the switch
            } catch (IOException | SQLException | RuntimeException e) {
                LOG.warn("{}: could not copy the last frames of the replaced database: {}", db, e.getMessage());
            }
            LOG.warn("{}: {}; following the file now at that path in a new generation", db, replaced);
        }
        handle.reopen(); // throws while there is no database at the path: the loop logs it and retries
        newGenerationRequest = replacedBecause;
    }

    private void continueShadow() throws IOException, SQLException {
        handle.acquireReadLock(); // a no-op unless re-taking it after a checkpoint failed
        byte[] header = readWalHeader();
        Continuity.Observed seen = new Continuity.Observed(header, handle.wal().size(),
                state == null ? -1 : shadow.length(state.generation(), state.index()),
                state != null && lastFrameStillThere(), newGenerationRequest, expectedRestartHeader, unprovenRestart);
        Continuity decision = Continuity.judge(state, state == null ? null
                : shadow.indexFile(state.generation(), state.index()).toString(), shadow.dir().toString(), seen);
        expectedRestartHeader = null;
        unprovenRestart = null;
        if (decision instanceof Continuity.NewGeneration g) {
            newGenerationRequest = null;
            startGeneration(header, g.reason());
        } else if (decision instanceof Continuity.NextIndex n) {
            long index = state.index() + 1;
            // The index that ends here is complete: durable before the next begins, so a replica behind in
            // it after a power cut never finds it shorter than it was (a gap inside the generation).
            makeDurable(state.position());
            shadow.startIndex(state.generation(), index, n.header());
            state = ShadowState.start(state.generation(), index, n.header());
            published = state.position();
            LOG.debug("{}: WAL restarted after checkpoint, shadow WAL continues at index {}", db, index);
        }
        copy();
    }

    private byte[] readWalHeader() throws IOException, SQLException {
        FileChannel wal = handle.wal();
        if (wal.size() < WalHeader.SIZE) {
            handle.bumpSeq(); // a WAL truncated to nothing: give it a header again
        }
        byte[] header = new byte[WalHeader.SIZE];
        if (WalScanner.readFully(wal, header, 0) < header.length) {
            throw new IOException("the WAL " + handle.walPath() + " has no header");
        }
        try {
            WalHeader.parse(header);
        } catch (WalFormatException e) {
            throw new IOException("the WAL header of " + db + " is being rewritten; will retry", e);
        }
        return header;
    }

    private boolean walHeaderUnchanged() throws IOException {
        byte[] header = new byte[WalHeader.SIZE];
        return WalScanner.readFully(handle.wal(), header, 0) == header.length && Arrays.equals(header, state.headerBytes());
    }

    private boolean lastFrameStillThere() throws IOException {
        if (state.lastFrame() == null) return true;
        byte[] frame = new byte[state.lastFrame().length];
        int n = WalScanner.readFully(handle.wal(), frame, state.end() - frame.length);
        return n == frame.length && Arrays.equals(frame, state.lastFrame());
    }

    /** True for a generation this monitor started (random and new: no replica can hold anything of it yet). */
    boolean startedHere(Generation generation) {
        return generation.equals(startedHere);
    }

    private void startGeneration(byte[] header, String reason) throws IOException {
        Generation generation = Generation.random();
        startedHere = generation;
        shadow.startGeneration(generation, 0, header);
        state = ShadowState.start(generation, 0, header);
        published = state.position();
        LogFields.db(LOG, org.slf4j.event.Level.INFO, db).addKeyValue("generation", generation)
                .log("{}: new generation {}: {}", db, generation, reason);
        listener.generationStarted(db, generation, reason);
    }

    /**
     * Copies frames committed since the last copy from the real WAL into the shadow WAL, without fsync:
     * a round that copies is not followed by an upload every time (a busy database copies every few
     * milliseconds and uploads once per {@code sync-interval}), so the shadow is made durable where it
     * must be: before a replica uploads from it ({@link #makeDurable}), and at the end of a checkpoint
     * ({@link Checkpointer.Shadow#force()}), whose copies come partly under SQLite's write lock, where an
     * fsync would hold up the application. Until then a power cut could take a copy from the shadow but
     * not from the database (the checkpoint fsyncs the database file), and the continuity check after a
     * restart then finds the shadow behind a restarted WAL and starts a new generation.
     */
    void copy() throws IOException {
        WalScanner.Committed c = WalScanner.scanCommitted(handle.wal(), state.header(), state.end(), state.checksum());
        // frames of a transaction still being written follow the commit; the probe watches past them
        probeAt = Math.max(c.endOffset(), state.end()) + (c.framesScanned() - c.frames()) * state.header().frameSize();
        if (c.endOffset() <= state.end()) return;
        long from = state.end();
        long length = c.endOffset() - from;
        // The scan read the frames; the copy reads them again. A restart in between (possible while Keel's
        // read is on a fully checkpointed WAL) rewrites the header before any frame: then the copy is
        // dropped, and the next continuity check judges the restart.
        if (!shadow.append(state.generation(), state.index(), from, handle.wal(), from, length, this::walHeaderUnchanged)) {
            LOG.debug("{}: the WAL restarted while its frames were copied; the next round judges the restart", db);
            return;
        }
        byte[] last = new byte[state.header().frameSize()];
        WalScanner.readFully(handle.wal(), last, c.endOffset() - last.length);
        state = state.advancedTo(c.endOffset(), c.checksum(), last);
        published = state.position();
        copiedBytes += length;
        listener.walCopied(db, published, length);
    }

    /**
     * Makes the shadow WAL durable up to {@code upTo} (an fsync of its index file, unless an earlier one
     * covers it). A replica calls it before it uploads shadow WAL: after a power cut the shadow then holds
     * everything a replica holds, so the continuity check, which compares the shadow's last frame with
     * the WAL, sees a WAL that lost acknowledged frames and starts a new generation instead of copying
     * other frames at the same offsets into the same lineage. Safe to call from any thread: the bytes up
     * to a published position are in the file already, and an fsync covers all of them.
     */
    void makeDurable(Position upTo) throws IOException {
        Position d = durable;
        if (d != null && d.generation().equals(upTo.generation()) && d.compareTo(upTo) >= 0) return;
        shadow.force(upTo.generation(), upTo.index());
        markDurable(upTo);
    }

    /** How far the shadow WAL is known to be fsynced; null before the first fsync (tests). */
    Position durablePosition() {
        return durable;
    }

    private synchronized void markDurable(Position at) {
        Position d = durable;
        if (d == null || !d.generation().equals(at.generation()) || d.compareTo(at) < 0) durable = at;
    }

    ShadowState state() {
        return state;
    }

    /** True while a new generation is asked for and the next round has not started it yet. */
    boolean newGenerationRequested() {
        return newGenerationRequest != null;
    }

    /**
     * Asks for a new generation at the next sync. A replica that lost WAL it never uploaded cannot go on
     * in the same generation: a restore may start from any snapshot of a generation and needs every WAL
     * index after it, so a generation's WAL must have no gaps.
     */
    public void requestNewGeneration(String reason) {
        this.newGenerationRequest = reason; // quiet() reads it: the next tick runs a round
    }

    /** Runs a checkpoint and keeps its decision about the next WAL restart for the next continuity check. */
    void checkpoint(String mode) throws IOException, SQLException {
        Checkpointer.Outcome outcome = checkpointer.checkpoint(state, mode, new Checkpointer.Shadow() {
            @Override
            public ShadowState copy() throws IOException {
                DatabaseMonitor.this.copy();
                return state;
            }

            @Override
            public void force() throws IOException {
                Position at = state.position();
                shadow.force(at.generation(), at.index());
                markDurable(at);
            }

            @Override
            public String unprovenRestart(byte[] header) throws IOException {
                DatabaseMonitor.this.copy(); // the old WAL's frames beyond the shadow, while they are still there
                return RestartProof.unproven(handle.wal(), state, probeAt, header);
            }
        });
        expectedRestartHeader = outcome.acceptedRestart();
        unprovenRestart = outcome.unprovenRestart();
    }

    /**
     * Prepares a snapshot: checkpoints so the db file holds as much as possible, copies what is left,
     * lets the caller claim the position (see below),
     * then reads the db file under the read transaction (through the channel held since open). Frames
     * a concurrent checkpoint writes into the file while it is read are all in the snapshot's WAL index,
     * so replaying that index from offset 0 on restore repairs any page read mid-write.
     */
    public Snapshot snapshot(java.util.function.Consumer<Position> claim, AgeCipher cipher) throws IOException, SQLException {
        lock.lock();
        try {
            requireHeld("a snapshot");
            resetProbe();
            verifyAndCopy();
            checkpoint("PASSIVE");
            verifyAndCopy();
            // The replica claims the snapshot's WAL index before the lock is released, so no cleanup
            // deletes the shadow WAL it must upload next while the snapshot itself is uploading.
            claim.accept(new Position(state.generation(), state.index(), 0));
            FileChannel file = handle.dbFile();
            long size = file.size() - file.size() % handle.pageSize();
            CompressedUpload upload = CompressedUpload.of(file, 0, size, gate, shadow.tempDir(), handle.pageSize(), cipher);
            return new Snapshot(new Position(state.generation(), state.index(), 0), upload);
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
            Position at = state.position();
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
