package dev.keel.replication.api;

import dev.keel.replication.spi.LocalPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One database to replicate and its replicas. Defaults follow Litestream 0.3. Intervals must be at
 * least 1 ms; page counts of 0 mean the default; anything else out of range is an
 * {@link InvalidSettingException} naming the setting.
 *
 * @param metaPath          directory for Keel's local state (shadow WAL); null means {@code .<dbname>-keel}
 *                          beside the database
 * @param maxShadowBacklog  bytes of WAL the local shadow keeps for a replica that cannot upload before it
 *                          gives up its backlog (see {@code Replicator.Builder.maxShadowBacklog}); 0 means the
 *                          replicator's setting (1 GiB by default), {@link #UNBOUNDED_SHADOW_BACKLOG} no limit
 */
public record DatabaseConfig(Path path, Path metaPath, Duration monitorInterval, Duration checkpointInterval,
                             int minCheckpointPageCount, int maxCheckpointPageCount, List<ReplicaConfig> replicas,
                             long maxShadowBacklog) {
    /** A {@code maxShadowBacklog} that keeps every byte of WAL until each replica uploaded it. */
    public static final long UNBOUNDED_SHADOW_BACKLOG = -1;
    public static final Duration DEFAULT_MONITOR_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_MIN_CHECKPOINT_PAGE_COUNT = 1000;
    public static final int DEFAULT_MAX_CHECKPOINT_PAGE_COUNT = 10000;

    public DatabaseConfig {
        Objects.requireNonNull(path, "path");
        monitorInterval = monitorInterval == null ? DEFAULT_MONITOR_INTERVAL
                : Settings.interval("monitorInterval", monitorInterval);
        checkpointInterval = checkpointInterval == null ? DEFAULT_CHECKPOINT_INTERVAL
                : Settings.interval("checkpointInterval", checkpointInterval);
        minCheckpointPageCount = Settings.count("minCheckpointPageCount", minCheckpointPageCount,
                DEFAULT_MIN_CHECKPOINT_PAGE_COUNT);
        maxCheckpointPageCount = Settings.count("maxCheckpointPageCount", maxCheckpointPageCount,
                DEFAULT_MAX_CHECKPOINT_PAGE_COUNT);
        if (minCheckpointPageCount > maxCheckpointPageCount) {
            throw new InvalidSettingException("minCheckpointPageCount",
                    "must not be above maxCheckpointPageCount (" + maxCheckpointPageCount + ")", minCheckpointPageCount);
        }
        replicas = List.copyOf(replicas == null ? List.of() : replicas);
        if (maxShadowBacklog < 0) maxShadowBacklog = UNBOUNDED_SHADOW_BACKLOG;
    }

    /** A database whose backlog limit is the replicator's setting. */
    public DatabaseConfig(Path path, Path metaPath, Duration monitorInterval, Duration checkpointInterval,
                          int minCheckpointPageCount, int maxCheckpointPageCount, List<ReplicaConfig> replicas) {
        this(path, metaPath, monitorInterval, checkpointInterval, minCheckpointPageCount, maxCheckpointPageCount,
                replicas, 0);
    }

    /** A database with the given replicas and every timing at its default. */
    public static DatabaseConfig of(Path path, List<ReplicaConfig> replicas) {
        return new DatabaseConfig(path, null, null, null, 0, 0, replicas);
    }

    /**
     * Where Keel keeps its local state for this database: {@code metaPath}, or {@code .<name>-keel}
     * beside the database file that {@code path} really names (symbolic links followed), which is
     * where SQLite keeps the {@code -wal} and {@code -shm} files too. Two names for one database
     * therefore share one state directory, whose lock keeps a second replicator away.
     */
    public Path resolvedMetaPath() {
        if (metaPath != null) return metaPath;
        Path real = LocalPaths.followLinks(path);
        return real.resolveSibling("." + real.getFileName() + "-keel");
    }
}
