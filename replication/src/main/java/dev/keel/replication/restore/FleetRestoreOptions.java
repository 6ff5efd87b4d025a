package dev.keel.replication.restore;

/**
 * How a fleet restore runs: the target every database is restored to, how many objects are
 * downloaded at once across the whole fleet (1 to {@link RestoreOptions#MAX_PARALLELISM}), whether an
 * existing output or a missing backup skips a database instead of failing it, whether stale
 * {@code -wal}/{@code -shm}/{@code -journal} files are removed, and the most databases a prefix may hold.
 */
public record FleetRestoreOptions(RestoreTarget target, int parallelism, boolean ifDbNotExists, boolean ifReplicaExists,
                                  boolean removeStaleFiles, int maxDatabases, FleetRestoreListener listener) {
    public FleetRestoreOptions {
        if (target == null) target = RestoreTarget.latest();
        if (target instanceof RestoreTarget.Index || target instanceof RestoreTarget.AtPosition) {
            throw new IllegalArgumentException("a WAL index or position names one database's generation: " + target);
        }
        if (parallelism < 1 || parallelism > RestoreOptions.MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be 1 to " + RestoreOptions.MAX_PARALLELISM + ": " + parallelism);
        }
        if (maxDatabases <= 0) maxDatabases = ReplicaPrefix.DEFAULT_MAX_DATABASES;
        if (listener == null) listener = FleetRestoreListener.NONE;
    }

    /** The latest state of every database, with every default. */
    public static FleetRestoreOptions defaults() {
        return new FleetRestoreOptions(null, RestoreOptions.DEFAULT_PARALLELISM, false, false, false, 0, null);
    }

    public FleetRestoreOptions withTarget(RestoreTarget t) {
        return new FleetRestoreOptions(t, parallelism, ifDbNotExists, ifReplicaExists, removeStaleFiles, maxDatabases, listener);
    }

    public FleetRestoreOptions withParallelism(int n) {
        return new FleetRestoreOptions(target, n, ifDbNotExists, ifReplicaExists, removeStaleFiles, maxDatabases, listener);
    }

    /** With {@code true}, a database whose output exists is skipped instead of failed. */
    public FleetRestoreOptions withIfDbNotExists(boolean skip) {
        return new FleetRestoreOptions(target, parallelism, skip, ifReplicaExists, removeStaleFiles, maxDatabases, listener);
    }

    /** With {@code true}, a database without a matching backup is skipped instead of failed. */
    public FleetRestoreOptions withIfReplicaExists(boolean skip) {
        return new FleetRestoreOptions(target, parallelism, ifDbNotExists, skip, removeStaleFiles, maxDatabases, listener);
    }

    public FleetRestoreOptions withRemoveStaleFiles(boolean remove) {
        return new FleetRestoreOptions(target, parallelism, ifDbNotExists, ifReplicaExists, remove, maxDatabases, listener);
    }

    public FleetRestoreOptions withMaxDatabases(int max) {
        return new FleetRestoreOptions(target, parallelism, ifDbNotExists, ifReplicaExists, removeStaleFiles, max, listener);
    }

    public FleetRestoreOptions withListener(FleetRestoreListener l) {
        return new FleetRestoreOptions(target, parallelism, ifDbNotExists, ifReplicaExists, removeStaleFiles, maxDatabases, l);
    }
}
