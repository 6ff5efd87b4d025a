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
 * Holds one replica's lease while Keel writes it: takes it before the first write, renews it every
 * ttl/3, and fences: a write may start only while the lease is surely still ours, that is before 3/4 of
 * a ttl has passed (on this process's monotonic clock) since the last successful renewal was sent. The
 * lease object says the lease lasts a full ttl from then (this host's wall clock) and another replicator
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
    private final String where;
    private final Clock clock;
    private final LongSupplier nanos;
    private boolean takeover;
    private LeaseOutcome.Held held;
    private long validUntil;
    private long renewAt;
    private Instant writableAt;
    private LeaseRecord takenOverFrom;

    LeaseKeeper(ReplicaLease lease, LeaseSettings settings, String where, Clock clock, LongSupplier nanos) {
        this.lease = lease;
        this.ttl = settings.ttl();
        this.takeover = settings.takeover();
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
    static LeaseKeeper of(dev.keel.replication.api.ReplicaConfig config, dev.keel.replication.spi.ReplicaClient client) {
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
        return new LeaseKeeper(new ReplicaLease(objects.get(), client.describe(), LeaseHolder.self(), clock), settings,
                client.describe(), clock, System::nanoTime);
    }

    LeaseHolder holder() {
        return lease.holder();
    }

    Duration ttl() {
        return ttl;
    }

    /** True when the lease is held and its renewal is due (the replica's loop then runs a round). */
    synchronized boolean renewalDue() {
        return held != null && nanos.getAsLong() - renewAt >= 0;
    }

    /** Takes or renews the lease when needed and says whether the replica may write now. */
    synchronized Verdict check() throws IOException {
        long now = nanos.getAsLong();
        if (held == null || now - renewAt >= 0) {
            LeaseOutcome outcome = held == null ? lease.acquire(ttl, takeover) : lease.renew(held, ttl);
            takeover = false; // -takeover applies to the first lease of the run only
            if (outcome instanceof LeaseOutcome.Refused r) {
                held = null;
                return new Refused(r.current());
            }
            LeaseOutcome.Held h = (LeaseOutcome.Held) outcome;
            if (h.tookOver()) {
                takenOverFrom = h.replaced();
                if (!h.replaced().freeAt(clock.instant())) writableAt = h.replaced().expires();
            }
            held = h;
            validUntil = now + ttl.toNanos() / 4 * 3;
            renewAt = now + ttl.toNanos() / 3;
        }
        if (writableAt != null) {
            if (clock.instant().isBefore(writableAt)) return new Wait(takenOverFrom, writableAt);
            writableAt = null;
        }
        return new Writable();
    }

    /** The holder whose unreleased lease we replaced, once (the replica then starts a new generation); else null. */
    synchronized LeaseRecord takeTakenOverFrom() {
        LeaseRecord r = takenOverFrom;
        takenOverFrom = null;
        return r;
    }

    /** Throws unless a write may start now: the lease is held, past any takeover wait, and not near its end. */
    synchronized void checkWritable() throws IOException {
        if (held == null) throw failure("the replica's lease is not held");
        if (writableAt != null) throw failure("waiting for the previous holder's lease to end at " + writableAt);
        if (nanos.getAsLong() - validUntil >= 0) {
            throw failure("the replica's lease could not be renewed in time (it was last renewed more than "
                    + ttl.toMillis() * 3 / 4 + " ms ago); no write starts until it is");
        }
    }

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
        return new StorageFailures.StorageFailure(where, new IOException(message + " (" + where + ")"));
    }
}
