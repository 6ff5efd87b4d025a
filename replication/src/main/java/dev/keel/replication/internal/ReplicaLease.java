package dev.keel.replication.internal;

import dev.keel.replication.spi.ConditionalObjects;
import dev.keel.replication.spi.LeaseHolder;
import dev.keel.replication.spi.LeaseRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The lease object of one replica, taken, renewed and released by compare-and-swap: a writer takes it
 * when there is none ({@code create}) or when the one there is free (released, or past its expiry by
 * this host's clock) or being taken over ({@code replace} on the version just read), and renews it with
 * {@code replace} on the version it wrote. A concurrent writer's change makes the swap fail, so two
 * replicators never both hold it. Expiry is a timestamp of the holder's clock: hosts' clocks must agree
 * to within a quarter of the lease's TTL (see {@link LeaseKeeper}).
 */
final class ReplicaLease {
    /** At the replica's root, beside {@code generations/}: Litestream 0.3 and Keel's restore ignore it. */
    static final String KEY = "keel-lease";
    private static final int ATTEMPTS = 4;

    private final ConditionalObjects objects;
    private final String where;
    private final LeaseHolder me;
    private final Clock clock;

    ReplicaLease(ConditionalObjects objects, String where, LeaseHolder me, Clock clock) {
        this.objects = objects;
        this.where = where;
        this.me = me;
        this.clock = clock;
    }

    LeaseHolder holder() {
        return me;
    }

    /** Takes the lease unless another holder has it and {@code takeover} is off. */
    LeaseOutcome acquire(Duration ttl, boolean takeover) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            ConditionalObjects.Versioned seen = objects.read(KEY);
            Instant now = clock.instant();
            LeaseRecord mine = new LeaseRecord(me, now.plus(ttl), false);
            if (seen == null) {
                String version = objects.create(KEY, mine.encode());
                if (version != null) return new LeaseOutcome.Held(mine, version, null);
                continue; // created by another meanwhile: look at it
            }
            LeaseRecord current = LeaseRecord.parse(seen.bytes(), where + "/" + KEY);
            boolean ours = current.holder().same(me);
            if (!ours && !takeover && !current.freeAt(now)) return new LeaseOutcome.Refused(current);
            String version = objects.replace(KEY, mine.encode(), seen.version());
            if (version != null) return new LeaseOutcome.Held(mine, version, ours ? null : current);
            // changed since we read it: look again
        }
        ConditionalObjects.Versioned last = objects.read(KEY);
        if (last == null) throw new IOException("the lease at " + where + " kept changing; trying again later");
        return new LeaseOutcome.Refused(LeaseRecord.parse(last.bytes(), where + "/" + KEY));
    }

    /**
     * Extends a lease we hold, or takes it back after it lapsed while the replica was idle: a swap on the
     * version we last wrote, which succeeds only when nobody wrote the lease since, whether it expired
     * meanwhile or not. When the object is another version it is looked at: still our record (a reply
     * lost on the way) is renewed; another holder's record, even one free by now, is a refusal, since that
     * holder may have written the replica meanwhile. A missing object (removed by hand) is created again.
     */
    LeaseOutcome renew(LeaseOutcome.Held held, Duration ttl) throws IOException {
        String expected = held.version();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            LeaseRecord mine = new LeaseRecord(me, clock.instant().plus(ttl), false);
            String version = expected == null ? objects.create(KEY, mine.encode())
                    : objects.replace(KEY, mine.encode(), expected);
            if (version != null) return new LeaseOutcome.Held(mine, version, null);
            ConditionalObjects.Versioned seen = objects.read(KEY);
            if (seen == null) {
                expected = null;
                continue;
            }
            LeaseRecord current = LeaseRecord.parse(seen.bytes(), where + "/" + KEY);
            if (!current.holder().same(me)) return new LeaseOutcome.Refused(current);
            expected = seen.version();
        }
        throw new IOException("the lease at " + where + " kept changing; trying again later");
    }

    /** Marks the lease released, so the next replicator takes it at once and continues the lineage. */
    void release(LeaseOutcome.Held held) throws IOException {
        LeaseRecord released = new LeaseRecord(me, clock.instant(), true);
        objects.replace(KEY, released.encode(), held.version()); // not ours any more: nothing to release
    }
}
