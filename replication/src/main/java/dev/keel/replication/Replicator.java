package dev.keel.replication;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DescriptorLimit;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.HeldMemory;
import dev.keel.replication.api.Overlaps;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.api.ValidationResult;
import dev.keel.replication.internal.DatabaseReplication;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.internal.Failures;
import dev.keel.replication.internal.HoldBudget;
import dev.keel.replication.internal.PendingDatabase;
import dev.keel.replication.internal.Replica;
import dev.keel.replication.internal.ReplicationWait;
import dev.keel.replication.spi.LocalPaths;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates SQLite databases to their replicas until closed: the in-process equivalent of
 * {@code keel replicate}. One small scheduler thread pool drives every database (no thread per
 * database). {@link #close()} stops the loops and runs a final sync, so every transaction committed
 * before close is on every reachable replica.
 *
 * <pre>{@code
 * try (Replicator r = Replicator.configure()
 *         .database(DatabaseConfig.of(db, List.of(ReplicaConfig.of(ReplicaUrl.parse("s3://bucket/app")))))
 *         .start()) {
 *     ... run the application ...
 * }
 * }</pre>
 *
 * Every public method reports failure as a {@link KeelException} with the database or replica it concerns.
 */
public final class Replicator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    final List<DatabaseReplication> databases;
    final List<PendingDatabase> pending = new CopyOnWriteArrayList<>();
    final ScheduledExecutorService scheduler;
    private final Builder builder;
    /** Held while a database joins; not the replicator's own lock, which close() holds while it waits for the loops. */
    final Object joining = new Object();
    /** Set under {@link #joining} once close() began. */
    boolean closing;
    private final DirectoryEntries directories = new DirectoryEntries(this);
    private volatile boolean closed;

    Replicator(List<DatabaseReplication> databases, ScheduledExecutorService scheduler, Builder builder) {
        this.databases = new CopyOnWriteArrayList<>(databases);
        this.scheduler = scheduler;
        this.builder = builder;
    }

    /**
     * How many databases are held open and how many parked, against the budget (see
     * {@link DescriptorLimit}): a parked database holds no descriptor and is taken back on its first write.
     */
    public record Holding(int budget, int held, int parked) {
    }

    /** Databases held and parked now, and the most held at once. */
    public Holding holding() {
        HoldBudget b = builder.budget;
        return new Holding(b.limit(), b.held(), b.parked());
    }

    /** Logs what bounds the databases held (see {@link ReplicatorStart#logHolding}). */
    void logHolding(int followed, int all) {
        ReplicatorStart.logHolding(this, builder.heldMemory, followed, all);
    }

    /** True when the database at {@code db} is followed and parked now. */
    public boolean parked(Path db) {
        DatabaseReplication d = find(db);
        return d != null && d.monitor().isParked();
    }

    static {
        EngineOptions.register(Builder::start);
    }

    public static Builder configure() {
        return new Builder();
    }

    /**
     * Rounds wait on fsyncs far more than they compute (a fleet's start is a snapshot, a WAL segment and
     * their fsyncs per database), and a disk completes more fsyncs per second the more are in flight: on
     * a small VM disk 8 at once made about 1,500 a second, 32 about 3,100. So the pool is sized for the
     * disk rather than the cores, still a fixed few threads however many databases there are.
     */
    static final int DEFAULT_THREADS = Math.max(8, Math.min(32, 16 * Runtime.getRuntime().availableProcessors()));

    /** What to replicate and how; the defaults suit a daemon. */
    public static final class Builder {
        List<DatabaseConfig> databases = List.of();
        ReplicationListener listener = ReplicationListener.NONE;
        boolean backgroundLoops = true;
        boolean waitForMissing;
        int threads = DEFAULT_THREADS;
        EngineOptions engine = EngineOptions.DEFAULT;
        long maxShadowBacklog = DatabaseReplication.DEFAULT_MAX_SHADOW_BACKLOG;
        HoldBudget budget = new HoldBudget(Integer.MAX_VALUE);
        HeldMemory heldMemory = HeldMemory.DEFAULT;

        private Builder() {
        }

        /** The databases to replicate, each with its replicas. */
        public Builder databases(List<DatabaseConfig> databases) {
            this.databases = List.copyOf(databases);
            return this;
        }

        /** Adds one database to replicate. */
        public Builder database(DatabaseConfig database) {
            List<DatabaseConfig> all = new ArrayList<>(databases);
            all.add(Objects.requireNonNull(database, "database"));
            this.databases = List.copyOf(all);
            return this;
        }

        /** Hears what replication does (metrics, a status page); {@link ReplicationListener#NONE} by default. */
        public Builder listener(ReplicationListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * False: nothing runs by itself; the caller drives replication with {@link Replicator#sync()}, as
         * a one-off validation or a test does.
         */
        public Builder backgroundLoops(boolean on) {
            this.backgroundLoops = on;
            return this;
        }

        /**
         * The memory databases held open may take ({@link HeldMemory#DEFAULT} by default): beyond what it
         * allows, and beyond what the open-file limit allows, the least recently written are parked.
         */
        public Builder heldMemory(HeldMemory memory) {
            this.heldMemory = Objects.requireNonNull(memory, "memory");
            return this;
        }

        /** Scheduler threads shared by all databases. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new KeelException(ErrorCode.USAGE, "threads must be at least 1: " + threads, null,
                        "one small pool drives every database; the default is " + DEFAULT_THREADS);
            }
            this.threads = threads;
            return this;
        }

        /**
         * How many bytes of WAL the local shadow keeps for a replica that cannot upload (default 1 GiB);
         * beyond that the replica gives up its backlog and starts over with a snapshot when it is back.
         * 0 keeps everything.
         */
        public Builder maxShadowBacklog(long bytes) {
            this.maxShadowBacklog = bytes;
            return this;
        }

        /**
         * Lets start succeed when no database opens because none exists yet (they wait and are opened
         * once they appear), instead of failing: an application run with -exec creates its database
         * only when it starts, as Litestream 0.3 allows.
         */
        public Builder waitForMissingDatabases(boolean wait) {
            this.waitForMissing = wait;
            return this;
        }

        /**
         * Opens every database and replica and starts the loops. When no database can be opened, throws a
         * {@link KeelException} naming the first that failed (the others suppressed): missing, not SQLite,
         * or a replica unreachable; nothing keeps running then. When some open, the others are logged
         * with their error and retried every monitor interval (by {@link Replicator#sync()} without
         * background loops) until they open: one bad path in a large config does not stop the rest.
         * Before anything opens, a setup that would write one place twice is refused with a BAD_INPUT
         * {@link KeelException} naming both entries (see {@link Overlaps}): one database under two names,
         * replicas whose locations are equal or nested, local state overlapping a replica.
         */
        public Replicator start() {
            return start(EngineOptions.DEFAULT);
        }

        private Replicator start(EngineOptions engine) {
            return ReplicatorStart.start(this, engine);
        }

    }

    /**
     * Every shortest monitor interval, parks the held databases idle the longest while more are held than
     * the budget allows or parked ones wait to be taken back. A database is parked only after two such
     * intervals without a write, so one that is being written stays held.
     */
    void scheduleParking() {
        long period = 1000;
        for (DatabaseReplication d : databases) period = Math.min(period, d.monitor().config().monitorInterval().toMillis());
        for (PendingDatabase p : pending) period = Math.min(period, p.config().monitorInterval().toMillis());
        long idle = TimeUnit.MILLISECONDS.toNanos(2 * Math.max(1, period));
        HoldBudget budget = builder.budget;
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                budget.enforce(idle, scheduler);
            } catch (RuntimeException e) {
                LOG.warn("parking idle databases failed: {}", e.toString()); // a timer that throws stops
            }
        }, period, Math.max(1, period), TimeUnit.MILLISECONDS);
    }

    /** Keeps retrying a database that failed at start while others replicate. */
    void retryLater(DatabaseConfig config, RuntimeException error) {
        PendingDatabase p = new PendingDatabase(config, builder.listener, db -> ReplicatorStart.open(builder, db), this::opened);
        p.failedAtStart(error);
        pending.add(p);
        try {
            builder.listener.databaseWaiting(config.path(), error);
        } catch (RuntimeException ignored) {
            // a listener must not stop replication
        }
        if (scheduler != null) p.schedule(scheduler);
    }

    /** A database that failed at start opened on a retry: it joins the others. */
    private void opened(DatabaseReplication db) {
        synchronized (joining) { // not the replicator's own lock: close() holds that while it waits for the loops
            pending.removeIf(PendingDatabase::done);
            databases.add(db);
            if (closing) return; // opened by close()'s last attempt: it gets the final sync, no loops
            if (scheduler != null) db.schedule(scheduler);
        }
        logReplicating(db);
        followed(db);
    }

    /** Tells the listener that {@code db} is followed now, with what each replica holds. */
    void followed(DatabaseReplication db) {
        List<ReplicationListener.FollowedReplica> replicas = new ArrayList<>();
        for (Replica r : db.replicas()) {
            replicas.add(new ReplicationListener.FollowedReplica(r.name(), r.client().type(), r.client().describe(),
                    r.position()));
        }
        try {
            builder.listener.databaseFollowed(db.path(), db.monitor().position(), List.copyOf(replicas));
        } catch (RuntimeException ignored) {
            // a listener must not stop replication
        }
    }

    /** Databases that failed to open at start and are still retried (empty when all replicate). */
    public List<Path> waitingDatabases() {
        List<Path> out = new ArrayList<>();
        for (PendingDatabase p : pending) {
            if (!p.done()) out.add(p.path());
        }
        return out;
    }

    static void logReplicating(DatabaseReplication db) {
        LOG.atInfo().addKeyValue("db", db.path().toString()).log("{}: replicating to {}", db.path(), describeReplicas(db));
    }

    private static String describeReplicas(DatabaseReplication db) {
        List<String> names = new ArrayList<>();
        for (Replica r : db.replicas()) names.add(r.client().describe());
        return names.isEmpty() ? "no replicas (shadow WAL only)" : String.join(", ", names);
    }

    /**
     * Copies every database's new WAL frames and uploads them to every replica now. Throws the first
     * failure (after trying every database); with background loops off, this is how replication runs.
     */
    public void sync() {
        Failures failures = new Failures();
        directories.rescan(failures);
        for (PendingDatabase p : pending) failures.attempt(p::openNow);
        for (DatabaseReplication db : databases) failures.attempt(() -> EngineCalls.run(db.path(), "sync", db::sync));
        builder.budget.enforce(0);
        failures.rethrowUnchecked();
    }

    /** Validates every replica against its live database now; true when all are equal. */
    public boolean validate() {
        return validateAll().stream().allMatch(ValidationResult::equal);
    }

    /**
     * Validates every replica now: syncs, restores each replica at the live database's position and
     * compares the two page by page; one result per replica.
     */
    public List<ValidationResult> validateAll() {
        List<ValidationResult> results = new ArrayList<>();
        for (DatabaseReplication db : databases) {
            for (Replica r : db.replicas()) {
                results.add(EngineCalls.call(db.path(), "validation of " + r.client().describe(), r::validateNow));
            }
        }
        return results;
    }

    /** Applies the shadow backlog limit now (the daemon does it every monitor tick). */
    public void boundShadow() {
        for (DatabaseReplication db : databases) {
            EngineCalls.run(db.path(), "bounding the shadow WAL", db::boundShadow);
        }
    }

    /** Runs retention on every replica now (the daemon does it every retention-check-interval). */
    public void enforceRetention() {
        for (DatabaseReplication db : databases) {
            for (Replica r : db.replicas()) {
                EngineCalls.run(db.path(), "retention on " + r.client().describe(), r::enforceRetentionNow);
            }
        }
    }

    /** The end of a database's shadow WAL; null before its first sync or for an unknown path. */
    public Position position(Path db) {
        DatabaseReplication d = find(db);
        return d == null ? null : d.monitor().position();
    }

    /** What a replica acknowledged; null when unknown. */
    public Position replicaPosition(Path db, String replica) {
        DatabaseReplication d = find(db);
        if (d == null) return null;
        for (Replica r : d.replicas()) {
            if (r.name().equals(replica)) return r.position();
        }
        return null;
    }

    /**
     * Returns once everything {@code db} committed before this call is acknowledged by every replica;
     * see {@link #awaitReplicated(Path, Duration, int)}.
     */
    public void awaitReplicated(Path db, Duration timeout) {
        awaitReplicated(db, timeout, Integer.MAX_VALUE);
    }

    /**
     * Returns once everything {@code db} committed before this call is acknowledged by {@code replicas} of
     * its replicas (all of them when it has fewer): the WAL is copied and uploaded now, not at the next
     * sync interval, so a caller that must not lose a commit (a payment) waits about one upload. Throws
     * a {@link KeelException} naming the lagging replicas when {@code timeout} passes first (the commit
     * stays in the shadow WAL and the loops upload it later), NOT_FOUND for a database this replicator
     * does not follow, USAGE for a negative timeout or a count under 1. Safe to call from many threads.
     */
    public void awaitReplicated(Path db, Duration timeout, int replicas) {
        ReplicationWait.checkArguments(db, timeout, replicas, closed);
        DatabaseReplication d = find(db);
        if (d == null) {
            Path real = LocalPaths.followLinks(db);
            throw ReplicationWait.notFollowed(db, databases.size(),
                    waitingDatabases().stream().anyMatch(p -> LocalPaths.followLinks(p).equals(real)));
        }
        EngineCalls.run(d.path(), "waiting for replication", () -> ReplicationWait.await(d, timeout, replicas, scheduler));
    }

    private DatabaseReplication find(Path db) {
        Path want = LocalPaths.followLinks(db);
        for (DatabaseReplication d : databases) {
            if (LocalPaths.followLinks(d.path()).equals(want)) return d;
        }
        return null;
    }

    /**
     * One last attempt at the databases still waiting to open, so that they get the final sync: an
     * application run with -exec that creates its database, writes and exits within one retry interval
     * would otherwise leave its writes on no replica. A database that is still not there is no failure;
     * one that is there but cannot be opened is.
     */
    private KeelException openWaitingDatabases() {
        KeelException failure = null;
        for (PendingDatabase p : pending) {
            if (p.done()) continue;
            try {
                p.openNow();
            } catch (RuntimeException e) {
                if (!Files.exists(p.path())) continue;
                LOG.warn("{}: final sync failed: the database could not be opened: {}", p.path(), e.getMessage());
                if (failure == null) {
                    failure = new KeelException(ErrorCode.IO, "final sync failed: the database could not be opened: "
                            + e.getMessage(), p.path().toString(), "fix the cause above and run keel replicate again to upload it", e);
                }
            }
        }
        return failure;
    }

    /**
     * Stops the loops, waits for running rounds, then runs a final sync of every database and closes
     * everything; the log then says per replica the position it holds or what it could not upload. Throws
     * when the final sync did not upload everything (STORAGE_UNAVAILABLE when a replica could not be
     * written; the data stays in the shadow WAL for the next run).
     */
    @Override
    public synchronized void close() {
        stop(false);
    }

    /**
     * Stops as {@link #close()} does (loops, final sync, the same failure), but leaves each database's
     * SQLite connection for the operating system to close: for a process that exits right after, such as
     * {@code keel replicate} on a signal. When Keel's connection is the last one to a database, SQLite
     * closing it checkpoints the WAL into the database file and removes it; the next start would then see
     * a WAL restarted by a checkpoint it did not run and begin a new generation, even with no write in
     * between. Left open, the WAL stays as Keel last copied it, and the next start continues the generation.
     */
    public synchronized void closeBeforeExit() {
        stop(true);
    }

    private void stop(boolean beforeExit) {
        if (closed) return;
        closed = true;
        synchronized (joining) {
            closing = true;
        }
        for (PendingDatabase p : pending) p.cancel();
        directories.cancel();
        for (DatabaseReplication db : databases) db.unschedule();
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) scheduler.shutdownNow();
            } catch (InterruptedException e) {
                scheduler.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        KeelException failure = openWaitingDatabases();
        // Held databases first: once synced they may be let go of to take back a parked one (a database
        // never synced cannot be parked, so a parked one first could find no place at all).
        List<DatabaseReplication> order = new ArrayList<>(databases);
        order.sort(java.util.Comparator.comparing(db -> db.monitor().isParked()));
        for (DatabaseReplication db : order) {
            try {
                KeelException incomplete = db.finalSync().failure(); // logged per replica
                if (failure == null) failure = incomplete;
            } finally {
                if (beforeExit) {
                    db.closeBeforeExit();
                } else {
                    db.close();
                }
                builder.listener.databaseLetGo(db.path());
            }
        }
        directories.close();
        if (failure != null) throw failure;
    }

    /**
     * Replicates every database of a {@code dir:} entry: those there now (before this returns, without
     * background loops at the next {@link #sync()}), and, when it is watched, those that appear later,
     * within one monitor interval. A database whose file is deleted or renamed away is let go: its loops
     * stop, its connections, channels and shadow-WAL files are closed, its replica is kept as it is, and
     * its local state directory stays beside where it was (a database that comes back continues from it
     * or starts a new generation, by the usual continuity rules). One line is logged for each.
     *
     * @throws KeelException BAD_INPUT when the entry overlaps a database or dir entry followed already
     *     (see {@link Overlaps}); NOT_FOUND when the directory does not exist
     */
    public void follow(DirectoryConfig directory) {
        directories.follow(directory);
    }

    /** A database of a dir entry joins the others, its loops on {@code loops} (null without background loops). */
    void joined(DatabaseReplication db, ScheduledExecutorService loops) {
        synchronized (joining) {
            databases.add(db);
            if (closing) return; // close() gives it the final sync
            if (loops != null) db.schedule(loops);
        }
        logReplicating(db);
        followed(db);
    }

    /** Opens a database of a dir entry as the configured ones are opened. */
    DatabaseReplication openForDirectory(DatabaseConfig config, Function<ReplicaConfig, ReplicaClient> clients) {
        return ReplicatorStart.open(builder, config, clients);
    }

    Function<ReplicaConfig, ReplicaClient> clients() {
        return builder.engine.clients();
    }

    ReplicationListener listener() {
        return builder.listener;
    }
}
