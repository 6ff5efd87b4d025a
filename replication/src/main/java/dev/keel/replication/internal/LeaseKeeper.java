package dev.keel.replication.internal;

import dev.keel.replication.api.LeaseSettings;
import dev.keel.replication.spi.LeaseHolder;
import dev.keel.replication.spi.LeaseRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Holds one replica's lease while Keel writes it, lazily: an idle replica makes no request for it.
 * The lease is taken at start (so a replica held by another replicator is refused there) and renewed
 * every ttl/3 only while the replica writes; when the replica is idle the lease lapses in the store.
 * The first write after that takes it back with a compare-and-swap on the version this keeper last
 * wrote: unchanged means nobody held it meanwhile, and the replica continues its generation; changed
 * to another holder's record means the replica was taken over, and it writes nothing more in this run
 * (the keeper is then {@code lost}, a local state that costs no request).
 *
 * <p>The fence: a write may start only while the lease is surely ours, that is before 3/4 of a ttl has
 * passed (on this process's monotonic clock) since the last successful renewal was sent. The lease
 * object says the lease lasts a full ttl from then (this host's wall clock) and another replicator
 * takes it only after that, so the last quarter covers a write still in flight and clocks that disagree
 * by less than ttl/4. A renewal that fails (storage unreachable) leaves the deadline where it was: past
 * it the replica stops writing, before anyone else may start.
 */
final class LeaseKeeper {
    /** What the keeper says before a round of writes. */
    sealed interface Verdict {
    }

    /** The lease is ours: write. */
    record Writable() implements Verdict {
    }

    /** We took the lease over from a live holder; writing starts once its lease ran out at {@code until}. */
    record Wait(LeaseRecord previous, Instant until) implements Verdict {
    }

    /** Another holder has the lease. */
    record Refused(LeaseRecord current) implements Verdict {
    }

    private final ReplicaLease lease;
    private final Duration ttl;
    private final LeaseSettings.Mode mode;
    private final String name;
    private final String where;
    private final Clock clock;
    private final LongSupplier nanos;
    private boolean takeover;
    private LeaseOutcome.Held held;
    private long validUntil;
    private long renewAt;
    private Instant writableAt;
    private LeaseRecord takenOverFrom;
    /** The record of the holder that took the lease from us while we held it: this run writes no more. */
    private LeaseRecord lost;
    /** With lease: auto, the storage turned out unable to hold a lease: the replica runs without one. */
    private boolean unsupported;

    LeaseKeeper(ReplicaLease lease, LeaseSettings settings, String where, Clock clock, LongSupplier nanos) {
        this(lease, settings, "?", where, clock, nanos);
    }

    LeaseKeeper(ReplicaLease lease, LeaseSettings settings, String name, String where, Clock clock, LongSupplier nanos) {
        this.lease = lease;
        this.ttl = settings.ttl();
        this.mode = settings.mode();
        this.takeover = settings.takeover();
        this.name = name;
        this.where = where;
        this.clock = clock;
        this.nanos = nanos;
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARNED_NO_LEASE = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The keeper for a replica as configured, or null when it has no lease: turned off, or (in AUTO mode)
     * a storage without compare-and-swap, which is logged once per process. ON with such a storage is a
     * BAD_INPUT error naming the replica.
     */
    static LeaseKeeper of(dev.keel.replication.api.ReplicaConfig config, dev.keel.replication.spi.ReplicaClient client,
                          java.nio.file.Path metaDir) {
        LeaseSettings settings = config.lease();
        if (settings.mode() == LeaseSettings.Mode.OFF) return null;
        java.util.Optional<dev.keel.replication.spi.ConditionalObjects> objects = client.conditionalObjects();
        if (objects.isEmpty()) {
            if (settings.mode() == LeaseSettings.Mode.ON) {
                throw new dev.keel.core.KeelException(dev.keel.core.ErrorCode.BAD_INPUT, "replica " + config.name()
                        + " cannot hold a lease: " + client.type() + " storage has no compare-and-swap", client.describe(),
                        "remove 'lease: on' from this replica (or set 'lease: off') and make sure only one replicator writes it");
            }
            if (WARNED_NO_LEASE.compareAndSet(false, true)) {
                org.slf4j.LoggerFactory.getLogger(LeaseKeeper.class).warn("{}: {} storage cannot hold a lease (no compare-and-swap): "
                        + "nothing stops a second replicator on another host from writing the same replica", client.describe(), client.type());
            }
            return null;
        }
        Clock clock = Clock.systemUTC();
        LeaseHolder me = LeaseHolder.self(LeaseToken.of(metaDir, config.name()));
        return new LeaseKeeper(new ReplicaLease(objects.get(), client.describe(), me, clock), settings, config.name(),
                client.describe(), clock, System::nanoTime);
    }

    LeaseHolder holder() {
        return lease.holder();
    }

    Duration ttl() {
        return ttl;
    }

    /**
     * Takes the lease (first call, or after a refusal at start) or renews it when a third of a ttl passed
     * since the last renewal, and says whether the replica may write now. Called before each round of
     * writes, so a replica renews only while it writes.
     */
    synchronized Verdict check() throws IOException {
        if (unsupported) return new Writable();
        if (lost != null) return new Refused(lost);
        try {
            return checkHeld();
        } catch (IOException e) {
            if (!withoutLease(e)) throw e;
            return new Writable();
        }
    }

    private Verdict checkHeld() throws IOException {
        long now = nanos.getAsLong();
        if (held == null) {
            LeaseOutcome outcome = lease.acquire(ttl, takeover);
            takeover = false; // -takeover applies to the first lease of the run only
            if (outcome instanceof LeaseOutcome.Refused r) return new Refused(r.current());
            LeaseOutcome.Held h = (LeaseOutcome.Held) outcome;
            if (h.tookOver()) {
                takenOverFrom = h.replaced();
                if (!h.replaced().freeAt(clock.instant())) writableAt = h.replaced().expires();
            }
            hold(h, now);
        } else if (now - renewAt >= 0) {
            renew(now);
            if (lost != null) return new Refused(lost);
        }
        if (writableAt != null) {
            if (clock.instant().isBefore(writableAt)) return new Wait(takenOverFrom, writableAt);
            writableAt = null;
        }
        return new Writable();
    }

    /** Renews (or, after an idle lapse, takes back) the lease we hold; another holder's record makes it lost. */
    private void renew(long started) throws IOException {
        LeaseOutcome outcome = lease.renew(held, ttl);
        if (outcome instanceof LeaseOutcome.Refused r) {
            lost = r.current();
            held = null;
            org.slf4j.LoggerFactory.getLogger(LeaseKeeper.class).error("{}: {}; this replicator writes nothing more to it "
                    + "until restarted", where, refusal(lost));
            return;
        }
        hold((LeaseOutcome.Held) outcome, started);
    }

    private void hold(LeaseOutcome.Held h, long started) {
        held = h;
        validUntil = started + ttl.toNanos() / 4 * 3;
        renewAt = started + ttl.toNanos() / 3;
    }

    /** The holder whose unreleased lease we replaced, once (the replica then starts a new generation); else null. */
    synchronized LeaseRecord takeTakenOverFrom() {
        LeaseRecord r = takenOverFrom;
        takenOverFrom = null;
        return r;
    }

    /**
     * Throws unless a write may start now: the lease is held, past any takeover wait, and not near its end.
     * A renewal due is made first (a long round of writes keeps its lease); when it fails the write may
     * still start while the last renewal holds.
     */
    synchronized void checkWritable() throws IOException {
        if (unsupported) return;
        if (lost != null) throw failure(new LeaseRefusedException(lost));
        if (held == null) throw failure("the replica's lease is not held");
        if (writableAt != null) throw failure("waiting for the previous holder's lease to end at " + writableAt);
        long now = nanos.getAsLong();
        IOException renewal = null;
        if (now - renewAt >= 0) {
            try {
                renew(now);
            } catch (IOException e) {
                renewal = e;
            }
            if (lost != null) throw failure(new LeaseRefusedException(lost));
        }
        if (nanos.getAsLong() - validUntil >= 0) {
            IOException e = failure("the replica's lease could not be renewed in time (it was last renewed more than "
                    + ttl.toMillis() * 3 / 4 + " ms ago); no write starts until it is");
            if (renewal != null) e.addSuppressed(renewal);
            throw e;
        }
    }

    /**
     * With {@code lease: auto}, a storage that answered it cannot hold a lease (an S3 server that ignores
     * conditional writes) turns this replica's lease off for the run, with one warning per process that
     * names the replica, says why and what to do: the replica is replicated as without a lease, which is
     * what {@code auto} promises. True when that happened; with {@code lease: on} the failure stands.
     */
    private boolean withoutLease(IOException e) {
        if (mode != LeaseSettings.Mode.AUTO) return false;
        dev.keel.replication.spi.LeaseUnsupportedException u = null;
        for (Throwable t = e; t != null && u == null; t = t.getCause()) {
            if (t instanceof dev.keel.replication.spi.LeaseUnsupportedException found) u = found;
        }
        if (u == null) return false;
        unsupported = true;
        held = null;
        var log = org.slf4j.LoggerFactory.getLogger(LeaseKeeper.class);
        if (WARNED_UNSUPPORTED.compareAndSet(false, true)) {
            log.warn("replica {} ({}): {}; it is replicated without a lease (lease: auto), so nothing stops a second "
                    + "replicator on another host from writing it. To silence this, {}", name, where, u.getMessage(), u.hint());
        } else {
            log.debug("replica {} ({}): {}; replicated without a lease", name, where, u.getMessage());
        }
        return true;
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARNED_UNSUPPORTED = new java.util.concurrent.atomic.AtomicBoolean();

    /** Gives the lease up so the next replicator takes it at once; quiet when that fails (it then expires). */
    synchronized void release() {
        LeaseOutcome.Held h = held;
        held = null;
        if (h == null) return;
        try {
            lease.release(h);
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(LeaseKeeper.class).debug("{}: could not release the lease; it expires at {}",
                    where, h.record().expires(), e);
        }
    }

    /** The message for a refused lease: who holds it, until when, and what to do. */
    static String refusal(LeaseRecord current) {
        return "the replica is written by another replicator: its lease is held by " + current.holder()
                + " until " + current.expires();
    }

    private IOException failure(String message) {
        return failure(new IOException(message + " (" + where + ")"));
    }

    private IOException failure(IOException e) {
        return new StorageFailures.StorageFailure(where, e);
    }
}
