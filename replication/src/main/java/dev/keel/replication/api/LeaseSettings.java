package dev.keel.replication.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether a replica is written under a lease held in the replica itself, so that a second replicator
 * (another host, a second pod) cannot write it at the same time, and for how long each renewal holds.
 *
 * @param mode     AUTO (the default): a lease where the storage can hold one (file, s3, abs), none on SFTP;
 *                 ON: a lease, and a storage that cannot hold one is an error; OFF: no lease (Litestream's behaviour)
 * @param ttl      how long a lease lasts without renewal; the holder renews every ttl/3 while it writes and
 *                 stops writing 3/4 of a ttl after its last renewal began. At least 2s, at most 1h.
 * @param takeover take the lease even from a live holder (which stops at its next renewal); writing starts
 *                 once that holder's lease has run out, in a new generation
 */
public record LeaseSettings(Mode mode, Duration ttl, boolean takeover) {
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    public static final Duration MIN_TTL = Duration.ofSeconds(2);
    public static final Duration MAX_TTL = Duration.ofHours(1);
    public static final LeaseSettings DEFAULT = new LeaseSettings(Mode.AUTO, DEFAULT_TTL, false);
    public static final LeaseSettings OFF = new LeaseSettings(Mode.OFF, DEFAULT_TTL, false);

    /** Whether leases are used. */
    public enum Mode { AUTO, ON, OFF }

    public LeaseSettings {
        Objects.requireNonNull(mode, "mode");
        ttl = ttl == null ? DEFAULT_TTL : ttl;
        if (ttl.compareTo(MIN_TTL) < 0) throw new InvalidSettingException("leaseTtl", "must be at least 2s", ttl);
        if (ttl.compareTo(MAX_TTL) > 0) throw new InvalidSettingException("leaseTtl", "must be at most 1h", ttl);
    }

    public LeaseSettings withTakeover(boolean takeover) {
        return new LeaseSettings(mode, ttl, takeover);
    }
}
