package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.cipher.AgeCipher;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Ships one database's shadow WAL to one destination: a snapshot when a generation starts (or the
 * snapshot interval passed), then the new shadow WAL bytes as segments named after their position.
 * Its position advances only after the storage acknowledged a write, so a replica that fails keeps
 * its pending bytes in the shadow WAL and resumes where it stopped.
 */
public final class Replica {
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

    private final ReplicaConfig config;
    private final ReplicaClient client;
    /** Encrypts what this replica uploads; reading goes through the client, which the engine wraps. */
    private final AgeCipher cipher;
    private final DatabaseMonitor monitor;
    private final ReplicationListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Position position;
    private volatile boolean positionKnown;
    /** False until the replica was listed in this run: the position may come from the local record only. */
    private volatile boolean listed;
    private final SnapshotHistory snapshots;
    /** The snapshot being prepared or uploaded, or kept from a failed upload, with its claim on the WAL. */
    private final PendingSnapshot pending;
    private final AcknowledgedPosition record;
    private Position recorded;
    private volatile long uploads;
    /** The replica's writer lease; null when it has none (turned off, or SFTP). */
    private final WriterLease lease;
    /** The generation this replica stopped writing when it took the lease over; it waits for the next one. */
    private volatile Generation abandoned;
    /** Logs how an outage ended and finds an acknowledged object the storage lost in it. */
    private final OutageRecovery outage;

    /** A replica without a lease (tests that drive one replica by hand). */
    public Replica(ReplicaConfig config, ReplicaClient client, DatabaseMonitor monitor, ReplicationListener listener) {
        this(config, client, monitor, listener, null);
    }

    /** A replica whose writes are fenced by {@code lease} (null: none). */
    Replica(ReplicaConfig config, ReplicaClient client, DatabaseMonitor monitor, ReplicationListener listener,
            LeaseKeeper lease) {
        this.config = config;
        this.client = lease == null ? client : new LeaseFencedClient(client, lease);
        this.lease = lease == null ? null : new WriterLease(lease, config.name(), this.client, monitor.path());
        this.cipher = AgeCipher.of(config.age());
        this.monitor = monitor;
        this.listener = listener;
        this.pending = new PendingSnapshot(monitor, this.client, listener, config.name(), cipher);
        this.snapshots = new SnapshotHistory(config.snapshotInterval());
        this.outage = new OutageRecovery(monitor.path(), config.name(), this.client);
        this.record = new AcknowledgedPosition(monitor.shadow().dir(), config.name());
        Position head = monitor.position();
        Position known = record.read();
        if (head != null && known != null && known.generation().equals(head.generation()) && known.compareTo(head) <= 0) {
            // Where the replica stood when this process last ran: an idle database resumes without listing it.
            position = known;
            recorded = known;
            positionKnown = true;
        }
    }

    /**
     * True when a sync would have something to do: shadow WAL beyond the replica's position, no position
     * yet, a snapshot kept from a failed upload or a periodic snapshot due. A cheap check on fields the
     * driver makes every tick; false for an idle database, which then costs its replica nothing.
     */
    boolean hasWork() {
        Position head = monitor.position();
        if (head == null) return false;
        Position p = position;
        return p == null || !p.equals(head) || pending.kept() != null || snapshots.due() || (!listed && snapshots.periodic());
    }

    /** Segments and snapshots this replica stored since it started (retention runs only after some). */
    long uploads() {
        return uploads;
    }

    public String name() {
        return config.name();
    }

    public ReplicaConfig config() {
        return config;
    }

    public ReplicaClient client() {
        return client;
    }

    /** A log event of this replica, with its database and name as fields. */
    private LoggingEventBuilder log(Level level) {
        return LogFields.replica(LOG, level, monitor.path(), name());
    }

    /** What the replica acknowledged; null until it has a snapshot of some generation. */
    public Position position() {
        return position;
    }

    /**
     * The shadow WAL this replica still needs: its position, or while a snapshot is uploading, the
     * snapshot's WAL index; null when it needs none.
     */
    Position claim() {
        Position p = position;
        Position s = pending.claim();
        if (p == null) return s;
        if (s == null || !s.generation().equals(p.generation())) return p;
        return s.compareTo(p) < 0 ? s : p;
    }

    /** True once the replica's position was read from its listing (until then the shadow WAL keeps everything). */
    boolean positionKnown() {
        return positionKnown;
    }

    /**
     * Uploads what the shadow WAL holds beyond this replica's position. After failed attempts, the first
     * that works logs what the replica holds now and what it held when they began, so a log tells how
     * an outage ended (the loop logs the failures themselves).
     */
    public void sync() throws IOException, SQLException {
        lock.lock();
        try {
            Position before = position;
            try {
                uploadPending();
            } catch (IOException | SQLException | RuntimeException e) {
                outage.failed(before, e);
                throw e;
            }
            outage.succeeded(position);
        } finally {
            try {
                recordPosition();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Keeps the acknowledged position in the local state when it moved (a failure to write it only costs a listing later). */
    private void recordPosition() {
        Position p = position;
        if (java.util.Objects.equals(p, recorded)) return;
        try {
            record.write(p);
            recorded = p;
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} -> {}: could not record the replica's position locally", monitor.path(), client.describe(), e);
        }
    }

    private void uploadPending() throws IOException, SQLException {
        if (!leaseAllowsWriting()) return;
        Position head = monitor.position();
        if (head == null) return;
        if (head.generation().equals(abandoned)) return; // the monitor starts the new generation at its next tick
        if (!listed) {
            // The local record says the replica holds everything: nothing to verify or upload yet.
            if (position != null && position.equals(head) && pending.kept() == null && !snapshots.periodic()) return;
            if (monitor.startedHere(head.generation())) {
                // A generation this process just made up holds nothing on any replica: no listing needed.
                // (The record is only a hint, so no upload ever starts from it.)
                position = null;
                positionKnown = true;
                listed = true;
                outage.known();
            } else {
                findPosition(head.generation()); // before the first upload, the replica itself says where it stands
            }
        }
        Position pos = position;
        if (pos != null) pos = unlessLost(pos, head);
        if (head.generation().equals(abandoned)) return;
        if (pos != null && !pos.generation().equals(head.generation())) {
            finishGeneration(pos);
            pos = null;
        }
        if (pos != null && !continues(pos, head)) {
            log(Level.WARN).addKeyValue("position", pos).log("{} -> {}: replica position {} does not continue the local shadow"
                    + " WAL (at {}); starting over with a snapshot", monitor.path(), client.describe(), pos, head);
            pos = null;
        }
        if (pos == null) {
            position = null;
            writeSnapshot();
        } else if (snapshots.due()) {
            writeIntervalSnapshot();
        }
        uploadUpTo(monitor.position());
    }

    /**
     * Takes or renews the lease and acts on the keeper's verdict: refused is a storage failure naming the
     * holder; after taking the lease over from a holder that did not release it, the replica forgets its
     * position and asks for a new generation (what the other holder wrote may continue the old lineage);
     * while a live holder's lease runs out, nothing is written.
     */
    private boolean leaseAllowsWriting() throws IOException {
        if (lease == null) return true;
        LeaseKeeper.Verdict verdict = lease.check();
        dev.keel.replication.spi.LeaseRecord from = lease.takeTakenOverFrom();
        if (from != null) {
            Position head = monitor.position();
            abandoned = head == null ? null : head.generation();
            position = null;
            discardPreparedSnapshot();
            String why = "replica " + name() + "'s lease was taken over from " + from;
            LOG.warn("{} -> {}: {}; starting a new generation", monitor.path(), client.describe(), why);
            monitor.requestNewGeneration(why);
        }
        return lease.mayWrite(verdict);
    }

    /**
     * Takes the lease before the first write (at start, so that a replica held by another replicator is
     * refused there); a refusal is a STORAGE_UNAVAILABLE error naming the holder, a storage that cannot
     * hold a lease a BAD_INPUT error. A storage that cannot be reached is left to the loop, which takes
     * the lease once it answers.
     *
     * <p>Not at the restart of an idle database whose local state says the replica holds everything: its
     * first write takes the lease (every write is fenced, see {@link LeaseKeeper}), so a fleet's restart
     * costs no request per database. Such local state is this replicator's own (one process per host
     * holds it), and its lease lapses while idle anyway; another replicator has none and is refused here.
     */
    void takeLease() {
        if (lease == null) return;
        if (positionKnown && !hasWork()) return;
        lock.lock();
        try {
            leaseAllowsWriting();
        } catch (IOException e) {
            if (StorageOutage.isUnreachable(e)) return;
            throw lease.startFailure(e);
        } finally {
            lock.unlock();
        }
    }

    /** Gives up the lease (closing), so the next replicator takes it at once and continues the lineage. */
    void releaseLease() {
        if (lease != null) lease.release();
    }

    /**
     * When the storage lost an object it acknowledged before a failure, the head generation is abandoned
     * for a new one (the monitor starts it at its next tick, the replica then writes its snapshot), an
     * older one being finished is left as it is. Returns the position to go on from, null when there is none.
     */
    private Position unlessLost(Position pos, Position head) throws IOException {
        OutageRecovery.Loss loss = outage.lostBefore(pos, head);
        if (loss == null) return pos;
        position = null;
        if (loss.current()) {
            abandoned = head.generation();
            discardPreparedSnapshot();
            monitor.requestNewGeneration(loss.why());
        }
        return null;
    }

    private void findPosition(Generation generation) throws IOException {
        ReplicaCatalog catalog = ReplicaCatalog.read(client, generation);
        position = ReplicaPosition.of(catalog, client, generation, cipher).orElse(null);
        snapshots.listed(generation, catalog);
        positionKnown = true;
        listed = true;
        outage.known();
        if (position != null) log(Level.INFO).addKeyValue("position", position).log("{} -> {}: resuming at {}", monitor.path(),
                client.describe(), position);
    }

    private boolean continues(Position pos, Position head) throws IOException {
        if (pos.index() > head.index()) return false;
        if (pos.index() == head.index()) return pos.offset() <= head.offset();
        return monitor.shadow().length(pos.generation(), pos.index()) >= pos.offset();
    }

    /** Uploads the rest of an older generation still in the shadow WAL, so its history has no gap. */
    private void finishGeneration(Position pos) throws IOException {
        Position p = pos;
        while (true) {
            long length = monitor.shadow().length(p.generation(), p.index());
            if (length < 0) break;
            if (length > p.offset()) p = upload(p, length);
            p = new Position(p.generation(), p.index() + 1, 0);
        }
    }

    /**
     * A periodic snapshot. Its checkpoint normally moves the WAL to a new index; when readers held the
     * checkpoint back it would land on the index of the previous snapshot and replace it, losing the
     * older restore point, so it is skipped until the next interval.
     */
    private void writeIntervalSnapshot() throws IOException, SQLException {
        long started = System.nanoTime();
        DatabaseMonitor.Snapshot snapshot = pending.take(false);
        if (snapshots.lastAt(snapshot.position())) {
            pending.release(snapshot);
            snapshots.skipped();
            LOG.debug("{} -> {}: periodic snapshot skipped, the WAL is still at index {}", monitor.path(),
                    client.describe(), ReplicaLayout.hex(snapshot.position().index()));
            return;
        }
        storeOrKeep(snapshot, started);
    }

    /** Takes a snapshot through the monitor and stores it; the replica then continues from its WAL index. */
    Position writeSnapshot() throws IOException, SQLException {
        long started = System.nanoTime();
        return storeOrKeep(pending.take(holdsNothingOf(monitor.position())), started);
    }

    /**
     * True when this replica holds nothing of {@code head}'s generation: one this process started (no
     * other can have written to it) and of which this replica stored no snapshot. Its snapshot may then
     * start the current WAL index without a checkpoint.
     */
    private boolean holdsNothingOf(Position head) {
        return head != null && monitor.startedHere(head.generation()) && snapshots.noneOf(head.generation());
    }

    /**
     * Uploads a prepared snapshot. When the upload fails the snapshot is kept (with the replica's claim
     * on its WAL index) and the next attempt uploads it again (see {@link PendingSnapshot}).
     */
    private Position storeOrKeep(DatabaseMonitor.Snapshot snapshot, long started) throws IOException {
        boolean stored = false;
        try {
            Position at = store(snapshot, started);
            stored = true;
            return at;
        } finally {
            if (stored) pending.release(snapshot);
            else pending.keep(snapshot);
        }
    }

    /** Deletes the snapshot kept from a failed upload, if any (closing, or a backlog over the limit). */
    void discardPreparedSnapshot() {
        lock.lock();
        try {
            pending.discard();
        } finally {
            lock.unlock();
        }
    }

    private Position store(DatabaseMonitor.Snapshot snapshot, long started) throws IOException {
        Position at = snapshot.position();
        String key = ReplicaLayout.snapshotKey(at.generation(), at.index());
        client.write(key, snapshot.payload());
        outage.acknowledged(at.generation(), key);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        snapshots.stored(at);
        uploads++;
        if (position == null || !position.generation().equals(at.generation())) position = at;
        log(Level.INFO).addKeyValue("generation", at.generation()).addKeyValue("position", at)
                .addKeyValue("bytes", snapshot.payload().length())
                .log("{} -> {}: snapshot written for generation {} index {} ({} bytes, {} compressed, {} ms)", monitor.path(),
                        client.describe(), at.generation(), ReplicaLayout.hex(at.index()),
                snapshot.payload().rawLength(), snapshot.payload().length(), took.toMillis());
        listener.snapshotWritten(monitor.path(), name(), at, snapshot.payload().length(), took);
        return at;
    }

    private void uploadUpTo(Position head) throws IOException, SQLException {
        Position pos = position;
        while (pos != null && pos.generation().equals(head.generation())) {
            if (pos.index() < head.index()) {
                long length = monitor.shadow().length(pos.generation(), pos.index());
                if (length < pos.offset()) {
                    String why = "replica " + name() + " needs WAL index " + ReplicaLayout.hex(pos.index())
                            + " that is no longer in the shadow WAL";
                    log(Level.WARN).addKeyValue("position", pos).log("{} -> {}: {}; starting a new generation",
                            monitor.path(), client.describe(), why);
                    position = null;
                    monitor.requestNewGeneration(why);
                    return;
                }
                if (length > pos.offset()) pos = upload(pos, length);
                pos = new Position(pos.generation(), pos.index() + 1, 0);
                position = pos;
            } else {
                if (pos.index() == head.index() && head.offset() > pos.offset()) upload(pos, head.offset());
                return;
            }
        }
    }

    /** Uploads shadow WAL bytes [pos.offset, end) of one index as one segment; returns the new position. */
    private Position upload(Position pos, long end) throws IOException {
        ShadowWal shadow = monitor.shadow();
        monitor.makeDurable(pos.withOffset(end)); // the shadow holds durably whatever a replica holds
        try (FileChannel ch = shadow.openForRead(pos.generation(), pos.index());
             CompressedUpload payload = CompressedUpload.of(ch, pos.offset(), end - pos.offset(), monitor.gate(),
                     shadow.tempDir(), 0, cipher)) {
            String key = ReplicaLayout.walSegmentKey(pos.generation(), pos.index(), pos.offset());
            client.write(key, payload);
            outage.acknowledged(pos.generation(), key);
            Position next = pos.withOffset(end);
            position = next;
            uploads++;
            log(Level.DEBUG).addKeyValue("position", pos).addKeyValue("bytes", payload.length()).log(
                    "{} -> {}: WAL segment written at {} ({} bytes, {} compressed)", monitor.path(), client.describe(), pos,
                    end - pos.offset(), payload.length());
            listener.segmentWritten(monitor.path(), name(), pos, next, payload.length());
            return next;
        }
    }

    /**
     * Gives up the replica's claim on the shadow WAL when it is further behind than {@code maxBacklog}
     * bytes (a replica that is down for long): the shadow WAL may then be deleted, and the replica starts
     * over with a snapshot once it is reachable again. Returns the backlog it had, or -1 when it was kept.
     */
    long dropBacklogOver(long maxBacklog) throws IOException {
        if (!lock.tryLock()) return -1; // uploading right now: it is making progress
        try {
            Position pos = position;
            Position head = monitor.position();
            if (!positionKnown || head == null) return -1;
            if (pos == null) return pending.dropOver(maxBacklog, head);
            long backlog = ShadowBacklog.bytes(monitor.shadow(), pos, head);
            if (backlog <= maxBacklog) return -1;
            log(Level.WARN).addKeyValue("position", pos).addKeyValue("bytes", backlog).log("{} -> {}: replica is {} bytes behind (limit {}); dropping its pending WAL from the local shadow, "
                    + "it starts over with a snapshot in a new generation when it is reachable again", monitor.path(),
                    client.describe(), backlog, maxBacklog);
            position = null;
            monitor.requestNewGeneration("replica " + name() + " fell more than " + maxBacklog + " bytes of WAL behind");
            return backlog;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What the shadow WAL holds beyond what this replica acknowledged, in words (positions and bytes),
     * for the final sync's report; null when the replica holds everything.
     */
    String notUploaded() throws IOException {
        lock.lock();
        try {
            Position head = monitor.position();
            return ShadowBacklog.describe(monitor.shadow(), position, head, positionKnown, pending.kept());
        } finally {
            lock.unlock();
        }
    }

    /** Compares this replica with the live database now (the validation loop and tests); true when equal. */
    public dev.keel.replication.api.ValidationResult validateNow() throws IOException, SQLException {
        Validator.Result r = Validator.validate(this, monitor);
        listener.validated(monitor.path(), name(), r.position(), r.ok());
        return new dev.keel.replication.api.ValidationResult(monitor.path(), name(), r.position(), r.pages(),
                r.firstDifferentPage());
    }

    /** Runs retention now (tests and the retention loop). */
    public int enforceRetentionNow() throws IOException, SQLException {
        return enforceRetention();
    }

    /** Runs retention under this replica's lock, so it never races an upload. */
    int enforceRetention() throws IOException, SQLException {
        lock.lock();
        try {
            int deleted = Retention.enforce(this, monitor, config.retention());
            if (deleted > 0) {
                log(Level.INFO).log("{} -> {}: retention removed {} objects older than {}", monitor.path(), client.describe(),
                        deleted, config.retention());
            }
            listener.retentionEnforced(monitor.path(), name(), deleted);
            return deleted;
        } finally {
            lock.unlock();
        }
    }
}
