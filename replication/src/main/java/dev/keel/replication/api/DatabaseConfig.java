package dev.keel.replication.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One database to replicate and its replicas. Defaults follow Litestream 0.3.
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
        if (monitorInterval == null) monitorInterval = DEFAULT_MONITOR_INTERVAL;
        if (checkpointInterval == null) checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        if (minCheckpointPageCount <= 0) minCheckpointPageCount = DEFAULT_MIN_CHECKPOINT_PAGE_COUNT;
        if (maxCheckpointPageCount <= 0) maxCheckpointPageCount = DEFAULT_MAX_CHECKPOINT_PAGE_COUNT;
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

    /** Where Keel keeps its local state for this database. */
    public Path resolvedMetaPath() {
        if (metaPath != null) return metaPath;
        Path abs = path.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + "-keel");
    }
}
