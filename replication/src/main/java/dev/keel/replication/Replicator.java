package dev.keel.replication;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Overlaps;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.api.ValidationResult;
import dev.keel.replication.internal.DatabaseReplication;
import dev.keel.replication.internal.Failures;
import dev.keel.replication.internal.PendingDatabase;
import dev.keel.replication.internal.Replica;
import dev.keel.replication.internal.WriteGate;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.LocalPaths;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
 * try (Replicator r = Replicator.start(List.of(DatabaseConfig.of(db, List.of(ReplicaConfig.of(storage)))),
 *                                      ReplicationListener.NONE)) {
 *     ... run the application ...
 * }
 * }</pre>
 */
public final class Replicator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    private final List<DatabaseReplication> databases;
    private final List<PendingDatabase> pending = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final Builder builder;
    private final Object joining = new Object();
    private boolean closing;
    private boolean closed;

    private Replicator(List<DatabaseReplication> databases, ScheduledExecutorService scheduler, Builder builder) {
        this.databases = new CopyOnWriteArrayList<>(databases);
        this.scheduler = scheduler;
        this.builder = builder;
    }

    /** Starts replicating every database with its background loops on. */
    public static Replicator start(List<DatabaseConfig> databases, ReplicationListener listener) {
        return builder().databases(databases).listener(listener).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for {@link #start}; the defaults suit a daemon. */
    public static final class Builder {
        private List<DatabaseConfig> databases = List.of();
        private ReplicationListener listener = ReplicationListener.NONE;
        private boolean backgroundLoops = true;
        private boolean waitForMissing;
        private int threads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private WriteGate writeGate = WriteGate.NONE;
        private Function<ReplicaConfig, ReplicaClient> clients = r -> ReplicaClients.open(r.storage());
        private long maxShadowBacklog = DatabaseReplication.DEFAULT_MAX_SHADOW_BACKLOG;

        public Builder databases(List<DatabaseConfig> databases) {
            this.databases = List.copyOf(databases);
            return this;
        }

        public Builder listener(ReplicationListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** False: nothing runs by itself; the caller drives replication with {@link Replicator#sync()} (tests). */
        public Builder backgroundLoops(boolean on) {
            this.backgroundLoops = on;
            return this;
        }

        /** Scheduler threads shared by all databases. */
        public Builder threads(int threads) {
            if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
            this.threads = threads;
            return this;
        }

        /** Wraps writes to Keel's local state directory (tests inject a full disk with it). */
        public Builder writeGate(WriteGate gate) {
            this.writeGate = Objects.requireNonNull(gate, "gate");
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

        /** How a replica's client is made (tests wrap real clients to inject faults). */
        public Builder clients(Function<ReplicaConfig, ReplicaClient> clients) {
            this.clients = Objects.requireNonNull(clients, "clients");
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
            Overlaps.find(databases).ifPresent(overlap -> {
                throw overlap.toException();
            });
            List<DatabaseReplication> opened = new ArrayList<>();
            List<DatabaseConfig> failed = new ArrayList<>();
            List<RuntimeException> errors = new ArrayList<>();
            for (DatabaseConfig db : databases) {
                try {
                    opened.add(open(db));
                } catch (RuntimeException e) {
                    failed.add(db);
                    errors.add(e);
                }
            }
            boolean allMissing = failed.stream().allMatch(db -> !Files.exists(db.path()));
            if (opened.isEmpty() && !errors.isEmpty() && !(waitForMissing && allMissing)) {
                RuntimeException first = errors.get(0);
                for (RuntimeException e : errors.subList(1, errors.size())) first.addSuppressed(e);
                throw first;
            }
            ScheduledExecutorService scheduler = backgroundLoops ? newScheduler(threads) : null;
            Replicator replicator = new Replicator(opened, scheduler, this);
            for (DatabaseReplication db : opened) {
                if (scheduler != null) db.schedule(scheduler);
                LOG.info("{}: replicating to {}", db.path(), describeReplicas(db));
            }
            for (int i = 0; i < failed.size(); i++) replicator.retryLater(failed.get(i), errors.get(i));
            return replicator;
        }

        /** Opens one database; an I/O failure setting up the local state becomes a KeelException naming it. */
        private DatabaseReplication open(DatabaseConfig db) {
            try {
                DatabaseReplication d = DatabaseReplication.open(db, listener, writeGate, clients);
                d.maxShadowBacklog(db.maxShadowBacklog() != 0 ? db.maxShadowBacklog() : maxShadowBacklog);
                return d;
            } catch (IOException e) {
                throw new KeelException(ErrorCode.IO, "cannot set up Keel's local state: " + e.getMessage(),
                        db.resolvedMetaPath().toString(),
                        "check that the directory beside the database is writable and the disk has space", e);
            }
        }
    }

    /** Keeps retrying a database that failed at start while others replicate. */
    private void retryLater(DatabaseConfig config, RuntimeException error) {
        PendingDatabase p = new PendingDatabase(config, builder.listener, builder::open, this::opened);
        p.failedAtStart(error);
        pending.add(p);
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
        LOG.info("{}: replicating to {}", db.path(), describeReplicas(db));
    }

    /** Databases that failed to open at start and are still retried (empty when all replicate). */
    public List<Path> waitingDatabases() {
        List<Path> out = new ArrayList<>();
        for (PendingDatabase p : pending) {
            if (!p.done()) out.add(p.path());
        }
        return out;
    }

    private static String describeReplicas(DatabaseReplication db) {
        List<String> names = new ArrayList<>();
        for (Replica r : db.replicas()) names.add(r.client().describe());
        return names.isEmpty() ? "no replicas (shadow WAL only)" : String.join(", ", names);
    }

    private static ScheduledExecutorService newScheduler(int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "keel-replication-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, factory);
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() runs the final sync itself
        return executor;
    }

    /**
     * Copies every database's new WAL frames and uploads them to every replica now. Throws the first
     * failure (after trying every database); tests use this with background loops off.
     */
    public void sync() throws IOException, SQLException {
        Failures failures = new Failures();
        for (PendingDatabase p : pending) failures.attempt(p::openNow);
        for (DatabaseReplication db : databases) failures.attempt(db::sync);
        failures.rethrow();
    }

    /** Validates every replica against its live database now; true when all are equal (tests, tooling). */
    public boolean validate() throws IOException, SQLException {
        return validateAll().stream().allMatch(ValidationResult::equal);
    }

    /**
     * Validates every replica now: syncs, restores each replica at the live database's position and
     * compares the two page by page; one result per replica.
     */
    public List<ValidationResult> validateAll() throws IOException, SQLException {
        List<ValidationResult> results = new ArrayList<>();
        for (DatabaseReplication db : databases) {
            for (Replica r : db.replicas()) results.add(r.validateNow());
        }
        return results;
    }

    /** Applies the shadow backlog limit now (tests; the daemon does it every monitor tick). */
    public void boundShadow() throws IOException {
        for (DatabaseReplication db : databases) db.boundShadow();
    }

    /** Runs retention on every replica now (tests; the daemon does it every retention-check-interval). */
    public void enforceRetention() throws IOException, SQLException {
        for (DatabaseReplication db : databases) {
            for (Replica r : db.replicas()) r.enforceRetentionNow();
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
        if (closed) return;
        closed = true;
        synchronized (joining) {
            closing = true;
        }
        for (PendingDatabase p : pending) p.cancel();
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
        for (DatabaseReplication db : databases) {
            try {
                KeelException incomplete = db.finalSync().failure(); // logged per replica
                if (failure == null) failure = incomplete;
            } finally {
                db.close();
            }
        }
        if (failure != null) throw failure;
    }
}
