package dev.keel.replication.internal;

import dev.keel.format.WalFormatException;
import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the shadow WAL continuing the real WAL, for one database: the continuity check after every
 * change Keel did not make itself (a restart, a replaced file, a restart of Keel), the copies of what was
 * committed since, and their durability. Its state is where the shadow ends; the {@link DatabaseMonitor}
 * calls it under its lock, and acts on what it reports (a new generation asked for, the copied bytes).
 */
final class ShadowFollower {
    private static final Logger LOG = LoggerFactory.getLogger(ShadowFollower.class);

    private final Path db;
    private final DatabaseHandle handle;
    private final ShadowWal shadow;
    private final ReplicationListener listener;
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
    private volatile Generation startedHere;
    /** Offset of the first WAL frame the last scan did not accept. */
    private long probeAt;

    ShadowFollower(Path db, DatabaseHandle handle, ShadowWal shadow, ReplicationListener listener) {
        this.db = db;
        this.handle = handle;
        this.shadow = shadow;
        this.listener = listener;
    }

    /** Reads back where the shadow stood when Keel last stopped (nothing when there is no shadow yet). */
    void recover() throws IOException {
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

    /** Where the shadow ends; null before the first round. */
    ShadowState state() {
        return state;
    }

    /** The shadow's end as replicas see it; null before the first round. */
    Position position() {
        return published;
    }

    /** WAL bytes copied so far (a round's share is the difference). */
    long copiedBytes() {
        return copiedBytes;
    }

    /** Offset of the first WAL frame the last scan did not accept: where a probe of the WAL looks. */
    long probeAt() {
        return probeAt;
    }

    /** True while a new generation is asked for and no round has started it yet. */
    boolean newGenerationRequested() {
        return newGenerationRequest != null;
    }

    /** The next continuity check starts a new generation, for {@code reason}. */
    void requestNewGeneration(String reason) {
        this.newGenerationRequest = reason;
    }

    /**
     * What a checkpoint found for the next continuity check: a WAL restart it may accept
     * ({@code acceptedRestart}, the header it must have) or one it may not ({@code unproven}, why); null
     * for none.
     */
    void expectRestart(byte[] acceptedRestart, String unproven) {
        expectedRestartHeader = acceptedRestart;
        unprovenRestart = unproven;
    }

    /** A take-back found the WAL restarted unprovably (null: not). */
    void unprovenRestart(String why) {
        if (why != null) unprovenRestart = why;
    }

    /** Fsyncs the shadow up to its end (the end of a checkpoint). */
    void forceToEnd() throws IOException {
        Position at = state.position();
        shadow.force(at.generation(), at.index());
        markDurable(at);
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

    /** True for a generation started in this process (random and new: no replica can hold anything of it yet). */
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
}
