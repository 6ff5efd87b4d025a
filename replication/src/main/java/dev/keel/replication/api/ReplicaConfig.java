package dev.keel.replication.api;

import dev.keel.replication.spi.ReplicaStorage;
import java.time.Duration;
import java.util.Objects;

/**
 * One replica of one database, as configured: where it lives and the timings that drive it.
 * Defaults follow Litestream 0.3: sync every second, keep 24h, check retention hourly,
 * snapshot only at generation start and when retention needs one, no periodic validation. Every
 * duration must be at least 1 ms (loops run on a millisecond scheduler); anything else is an
 * {@link InvalidSettingException} naming the setting.
 *
 * @param name                   unique per database; defaults to the storage type
 * @param snapshotInterval       null: no periodic snapshots
 * @param validationInterval     null: no periodic validation
 * @param age                    null: files are plain LZ4 frames; else age-encrypted as Litestream 0.3 does
 * @param lease                  the replica's writer lease; null: {@link LeaseSettings#DEFAULT}
 */
public record ReplicaConfig(String name, ReplicaStorage storage, Duration syncInterval, Duration snapshotInterval,
                            Duration retention, Duration retentionCheckInterval, Duration validationInterval,
                            AgeEncryption age, LeaseSettings lease) {
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    public static final Duration DEFAULT_RETENTION_CHECK_INTERVAL = Duration.ofHours(1);

    public ReplicaConfig {
        Objects.requireNonNull(storage, "storage");
        if (name == null || name.isBlank()) name = storage.type();
        syncInterval = syncInterval == null ? DEFAULT_SYNC_INTERVAL : Settings.interval("syncInterval", syncInterval);
        snapshotInterval = Settings.interval("snapshotInterval", snapshotInterval);
        retention = retention == null ? DEFAULT_RETENTION : Settings.interval("retention", retention);
        retentionCheckInterval = retentionCheckInterval == null ? DEFAULT_RETENTION_CHECK_INTERVAL
                : Settings.interval("retentionCheckInterval", retentionCheckInterval);
        validationInterval = Settings.interval("validationInterval", validationInterval);
        lease = lease == null ? LeaseSettings.DEFAULT : lease;
    }

    /** The same replica with other lease settings. */
    public ReplicaConfig withLease(LeaseSettings lease) {
        return new ReplicaConfig(name, storage, syncInterval, snapshotInterval, retention, retentionCheckInterval,
                validationInterval, age, lease);
    }

    /** A replica without encryption, with the default lease. */
    public ReplicaConfig(String name, ReplicaStorage storage, Duration syncInterval, Duration snapshotInterval,
                         Duration retention, Duration retentionCheckInterval, Duration validationInterval) {
        this(name, storage, syncInterval, snapshotInterval, retention, retentionCheckInterval, validationInterval, null, null);
    }

    /** This replica with its files encrypted (and read) with {@code keys}; null for plain files. */
    public ReplicaConfig withAge(AgeEncryption keys) {
        return new ReplicaConfig(name, storage, syncInterval, snapshotInterval, retention, retentionCheckInterval,
                validationInterval, keys, lease);
    }

    /** A replica with every timing at its default. */
    public static ReplicaConfig of(ReplicaStorage storage) {
        return new ReplicaConfig(null, storage, null, null, null, null, null);
    }
}
