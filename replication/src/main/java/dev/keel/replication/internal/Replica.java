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
import java.time.Instant;
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
    private volatile Position snapshotClaim;
    private volatile boolean positionKnown;
    /** False until the replica was listed in this run: the position may come from the local record only. */
    private volatile boolean listed;
    private Instant lastSnapshot;
    private Position lastSnapshotAt;
    private volatile DatabaseMonitor.Snapshot prepared;
    private final AcknowledgedPosition record;
    private Position recorded;
    private volatile long uploads;
    private boolean failing;
    private Position heldWhenFailing;
    /** The replica's writer lease; null when it has none (turned off, or SFTP). */
    private final LeaseKeeper lease;
    /** The generation this replica stopped writing when it took the lease over; it waits for the next one. */
    private volatile Generation abandoned;
    private boolean waitLogged;
    /** The newest object the storage acknowledged, looked for again after a storage failure. */
    private final LastAcknowledged acknowledged = new LastAcknowledged();

    /** A replica without a lease (tests that drive one replica by hand). */
    public Replica(ReplicaConfig config, ReplicaClient client, DatabaseMonitor monitor, ReplicationListener listener) {
        this(config, client, monitor, listener, null);
    }

    /** A replica whose writes are fenced by {@code lease} (null: none). */
    Replica(ReplicaConfig config, ReplicaClient client, DatabaseMonitor monitor, ReplicationListener listener,
            LeaseKeeper lease) {
        this.config = config;
        this.lease = lease;
        this.client = lease == null ? client : new LeaseFencedClient(client, lease);
        this.cipher = AgeCipher.of(config.age());
        this.monitor = monitor;
        this.listener = listener;
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
        return p == null || !p.equals(head) || prepared != null || snapshotDue() || (!listed && periodicSnapshots());
    }

    /**
     * With a snapshot interval the replica's newest snapshot time matters, and only its listing has it:
     * such a replica is listed once after a restart even when idle.
     */
    private boolean periodicSnapshots() {
        Duration interval = config.snapshotInterval();
        return interval != null && !interval.isZero();
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
        Position s = snapshotClaim;
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
                if (!failing) heldWhenFailing = before;
                if (StorageFailures.find(e) != null || StorageOutage.isUnreachable(e)) acknowledged.storageFailed(e);
                failing = true;
                throw e;
            }
            if (failing && position != null) { // null: a new generation is due, caught up once its snapshot is stored
                failing = false;
                log(Level.INFO).addKeyValue("position", position).log(
                        "{} -> {}: caught up: the replica holds everything up to {} (it held {} when uploads began to fail)",
                        monitor.path(), client.describe(), position,
                        heldWhenFailing == null ? "nothing of the generation" : heldWhenFailing);
            }
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
            if (position != null && position.equals(head) && prepared == null && !periodicSnapshots()) return;
            if (monitor.startedHere(head.generation())) {
                // A generation this process just made up holds nothing on any replica: no listing needed.
                // (The record is only a hint, so no upload ever starts from it.)
                position = null;
                positionKnown = true;
                listed = true;
                acknowledged.known();
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
        } else if (snapshotDue()) {
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
        if (verdict instanceof LeaseKeeper.Refused r) {
            throw new StorageFailures.StorageFailure(client.describe(), new LeaseRefusedException(r.current()));
        }
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
        if (verdict instanceof LeaseKeeper.Wait w) {
            if (!waitLogged) {
                LOG.info("{} -> {}: lease taken over from {}; writing starts when that lease ends at {}", monitor.path(),
                        client.describe(), w.previous().holder(), w.until());
                waitLogged = true;
            }
            return false;
        }
        return true;
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
            throw startFailure(e);
        } finally {
            lock.unlock();
        }
    }

    private dev.keel.core.KeelException startFailure(IOException e) {
        LeaseRefusedException refused = LeaseRefusedException.find(e);
        if (refused != null) {
            return new dev.keel.core.KeelException(dev.keel.core.ErrorCode.STORAGE_UNAVAILABLE, refused.getMessage(),
                    client.describe(), "stop the other replicator (or wait until its lease expires, if it is gone), or run "
                    + "keel replicate -takeover to take the replica over; it then starts a new generation", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof dev.keel.replication.spi.LeaseUnsupportedException u) {
                return new dev.keel.core.KeelException(dev.keel.core.ErrorCode.BAD_INPUT, "replica " + name() + ": "
                        + u.getMessage(), client.describe(), u.hint(), e);
            }
        }
        return new dev.keel.core.KeelException(dev.keel.core.ErrorCode.STORAGE_UNAVAILABLE, "replica " + name()
                + ": its lease could not be taken: " + e.getMessage(), client.describe(),
                "check that the storage answers and that Keel may read and write the object keel-lease at the "
                + "replica's root", e);
    }

    /** Gives up the lease (closing), so the next replicator takes it at once and continues the lineage. */
    void releaseLease() {
        if (lease != null) lease.release();
    }

    /**
     * After a storage failure, one request looks for the newest object the storage acknowledged before
     * it. When the storage lost it (a server that crashed before making it durable), continuing its
     * generation would leave a gap that a restore refuses: the head generation is abandoned for a new
     * one (the monitor starts it at its next tick, the replica then writes its snapshot), an older one
     * being finished is left as it is. Returns the position to go on from, null when there is none.
     */
    private Position unlessLost(Position pos, Position head) throws IOException {
        LastAcknowledged.Acknowledged due = acknowledged.due(pos.generation());
        if (due == null) return pos;
        LastAcknowledged.Lost lost = acknowledged.check(client, due);
        if (lost == null) return pos;
        position = null;
        boolean current = pos.generation().equals(head.generation());
        String why = "the storage lost " + due.key() + " of replica " + name() + ", which it had acknowledged at "
                + due.at() + " before it failed (" + lost.failure() + ")";
        log(Level.WARN).addKeyValue("position", pos).addKeyValue("missing", due.key()).log(
                "{} -> {}: {}; continuing generation {} from {} would leave a gap that a restore refuses: {}",
                monitor.path(), client.describe(), why, pos.generation(), pos, current
                        ? "starting a new generation with a snapshot"
                        : "the rest of that generation is not uploaded, generation " + head.generation() + " goes on");
        if (current) {
            abandoned = head.generation();
            discardPreparedSnapshot();
            monitor.requestNewGeneration(why);
        }
        return null;
    }

    private void findPosition(Generation generation) throws IOException {
        ReplicaCatalog catalog = ReplicaCatalog.read(client, generation);
        position = ReplicaPosition.of(catalog, client, generation, cipher).orElse(null);
        lastSnapshot = catalog.lastSnapshotTime(generation).orElse(null);
        lastSnapshotAt = catalog.lastSnapshot(generation).map(x -> new Position(generation, x.index(), 0)).orElse(null);
        positionKnown = true;
        listed = true;
        acknowledged.known();
        if (position != null) log(Level.INFO).addKeyValue("position", position).log("{} -> {}: resuming at {}", monitor.path(),
                client.describe(), position);
    }

    private boolean continues(Position pos, Position head) throws IOException {
        if (pos.index() > head.index()) return false;
        if (pos.index() == head.index()) return pos.offset() <= head.offset();
        return monitor.shadow().length(pos.generation(), pos.index()) >= pos.offset();
    }

    private boolean snapshotDue() {
        Duration interval = config.snapshotInterval();
        return interval != null && !interval.isZero() && lastSnapshot != null
                && Duration.between(lastSnapshot, Instant.now()).compareTo(interval) >= 0;
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
        DatabaseMonitor.Snapshot snapshot = preparedSnapshot();
        if (snapshot.position().equals(lastSnapshotAt)) {
            release(snapshot);
            lastSnapshot = Instant.now();
            LOG.debug("{} -> {}: periodic snapshot skipped, the WAL is still at index {}", monitor.path(),
                    client.describe(), ReplicaLayout.hex(snapshot.position().index()));
            return;
        }
        storeOrKeep(snapshot, started);
    }

    /** Takes a snapshot through the monitor and stores it; the replica then continues from its WAL index. */
    Position writeSnapshot() throws IOException, SQLException {
        long started = System.nanoTime();
        return storeOrKeep(preparedSnapshot(), started);
    }

    /**
     * Uploads a prepared snapshot. When the upload fails the snapshot is kept (with the replica's claim
     * on its WAL index) and the next attempt uploads it again: preparing one costs a checkpoint and
     * compressing the whole database, which a replica whose storage is down would otherwise repeat
     * every round.
     */
    private Position storeOrKeep(DatabaseMonitor.Snapshot snapshot, long started) throws IOException {
        boolean stored = false;
        try {
            Position at = store(snapshot, started);
            stored = true;
            return at;
        } finally {
            if (stored) release(snapshot);
            else prepared = snapshot;
        }
    }

    /**
     * The snapshot kept from a failed upload while it is still valid (same generation as the shadow WAL,
     * whose index it starts is still there: the replica's claim kept it), otherwise a new one.
     */
    private DatabaseMonitor.Snapshot preparedSnapshot() throws IOException, SQLException {
        DatabaseMonitor.Snapshot kept = prepared;
        prepared = null;
        if (kept != null) {
            Position at = kept.position();
            Position head = monitor.position();
            if (head != null && head.generation().equals(at.generation())
                    && monitor.shadow().length(at.generation(), at.index()) >= 0) {
                LOG.debug("{} -> {}: retrying the snapshot prepared at {}", monitor.path(), client.describe(), at);
                snapshotClaim = at;
                return kept;
            }
            release(kept);
        }
        try {
            DatabaseMonitor.Snapshot fresh = monitor.snapshot(at -> snapshotClaim = at, cipher);
            listener.snapshotPrepared(monitor.path(), name(), fresh.position());
            return fresh;
        } catch (IOException | SQLException | RuntimeException e) {
            snapshotClaim = null;
            throw e;
        }
    }

    /** Deletes a snapshot's temp file and gives up the claim on its WAL index. */
    private void release(DatabaseMonitor.Snapshot snapshot) {
        snapshotClaim = null;
        try {
            snapshot.close();
        } catch (IOException e) {
            LOG.debug("{} -> {}: could not delete a snapshot's temp file", monitor.path(), client.describe(), e);
        }
    }

    /** Deletes the snapshot kept from a failed upload, if any (closing, or a backlog over the limit). */
    void discardPreparedSnapshot() {
        lock.lock();
        try {
            DatabaseMonitor.Snapshot kept = prepared;
            prepared = null;
            if (kept != null) release(kept);
        } finally {
            lock.unlock();
        }
    }

    private Position store(DatabaseMonitor.Snapshot snapshot, long started) throws IOException {
        Position at = snapshot.position();
        String key = ReplicaLayout.snapshotKey(at.generation(), at.index());
        client.write(key, snapshot.payload());
        acknowledged.acknowledged(at.generation(), key);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        lastSnapshot = Instant.now();
        lastSnapshotAt = at;
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
        try (FileChannel ch = shadow.openForRead(pos.generation(), pos.index());
             CompressedUpload payload = CompressedUpload.of(ch, pos.offset(), end - pos.offset(), monitor.gate(),
                     shadow.tempDir(), 0, cipher)) {
            String key = ReplicaLayout.walSegmentKey(pos.generation(), pos.index(), pos.offset());
            client.write(key, payload);
            acknowledged.acknowledged(pos.generation(), key);
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
            if (pos == null) return dropPreparedSnapshotOver(maxBacklog, head);
            long backlog = backlog(pos, head);
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
     * A replica without a position claims only the WAL after a snapshot it could not upload yet; past
     * the limit that snapshot is deleted too (the next attempt prepares a new one), so the claim never
     * holds more local WAL than the limit.
     */
    private long dropPreparedSnapshotOver(long maxBacklog, Position head) throws IOException {
        DatabaseMonitor.Snapshot kept = prepared;
        if (kept == null) return -1;
        long backlog = backlog(kept.position(), head);
        if (backlog <= maxBacklog) return -1;
        LOG.info("{} -> {}: the snapshot prepared at {} is {} bytes of WAL behind (limit {}); a new one is prepared "
                + "at the next attempt", monitor.path(), client.describe(), kept.position(), backlog, maxBacklog);
        prepared = null;
        release(kept);
        return backlog;
    }

    /** Bytes of shadow WAL from {@code pos} to {@code head} (to the end of pos's generation when it is older). */
    private long backlog(Position pos, Position head) throws IOException {
        long backlog = 0;
        if (!pos.generation().equals(head.generation())) {
            for (long i = pos.index(); ; i++) {
                long length = monitor.shadow().length(pos.generation(), i);
                if (length < 0) break;
                backlog += Math.max(0, length - (i == pos.index() ? pos.offset() : 0));
            }
            return backlog;
        }
        for (long i = pos.index(); i < head.index(); i++) {
            backlog += Math.max(0, monitor.shadow().length(pos.generation(), i) - (i == pos.index() ? pos.offset() : 0));
        }
        return backlog + (head.index() == pos.index() ? head.offset() - pos.offset() : head.offset());
    }

    /**
     * What the shadow WAL holds beyond what this replica acknowledged, in words (positions and bytes),
     * for the final sync's report; null when the replica holds everything.
     */
    String notUploaded() throws IOException {
        lock.lock();
        try {
            Position head = monitor.position();
            Position pos = position;
            if (head == null || head.equals(pos)) return null;
            if (!positionKnown) {
                return "everything up to " + head + " (the replica could not be listed to learn what it already holds)";
            }
            if (pos == null) {
                DatabaseMonitor.Snapshot kept = prepared;
                return "all of generation " + head.generation() + ": its snapshot ("
                        + (kept == null ? "not taken yet" : "prepared at index " + ReplicaLayout.hex(kept.position().index()))
                        + ") and its WAL up to " + head;
            }
            String range = "WAL from " + pos + " to " + head + " (" + backlog(pos, head) + " bytes)";
            if (pos.generation().equals(head.generation())) return range;
            return "the rest of generation " + pos.generation() + " from " + pos + " (" + backlog(pos, head)
                    + " bytes), then all of generation " + head.generation() + " up to " + head;
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
