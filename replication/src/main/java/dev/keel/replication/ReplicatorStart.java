package dev.keel.replication;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DescriptorLimit;
import dev.keel.replication.api.HeldMemory;
import dev.keel.replication.api.Overlaps;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.internal.DatabaseReplication;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.internal.HoldBudget;
import dev.keel.replication.internal.ObservedReplicaClient;
import dev.keel.replication.internal.ParallelOpen;
import dev.keel.replication.internal.StorageFailures;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@link Replicator.Builder#start()} brings a replicator up: every database and its replicas opened
 * (several at once), the ones that fail retried later, the loops started on one small scheduler.
 */
final class ReplicatorStart {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
    /**
     * Databases opened at once at start: opening waits mostly on the disk (SQLite's first write, the
     * lease's fsyncs), and a disk completes more fsyncs per second the more are asked at once.
     */
    static final int OPEN_THREADS = 16;

    private ReplicatorStart() {
    }

    static Replicator start(Replicator.Builder b, EngineOptions engine) {
        b.engine = engine;
        Overlaps.find(b.databases).ifPresent(overlap -> {
            throw overlap.toException();
        });
        DescriptorLimit limit = DescriptorLimit.forDatabases(b.databases.size());
        b.budget = new HoldBudget(engine.heldBudget() > 0 ? engine.heldBudget()
                : Math.min(limit.heldBudget(), b.heldMemory.heldBudget()));
        List<DatabaseReplication> opened = new ArrayList<>();
        List<DatabaseConfig> failed = new ArrayList<>();
        List<RuntimeException> errors = new ArrayList<>();
        List<ParallelOpen.Outcome<DatabaseReplication>> outcomes = ParallelOpen.all(b.databases, OPEN_THREADS, db -> open(b, db));
        for (int i = 0; i < b.databases.size(); i++) {
            ParallelOpen.Outcome<DatabaseReplication> o = outcomes.get(i);
            if (o.error() == null) {
                opened.add(o.value());
            } else {
                failed.add(b.databases.get(i));
                errors.add(o.error());
            }
        }
        boolean allMissing = failed.stream().allMatch(db -> !Files.exists(db.path()));
        if (opened.isEmpty() && !errors.isEmpty() && !(b.waitForMissing && allMissing)) {
            RuntimeException first = errors.get(0);
            for (RuntimeException e : errors.subList(1, errors.size())) first.addSuppressed(e);
            throw first;
        }
        ScheduledExecutorService scheduler = b.backgroundLoops ? newScheduler(b.threads) : null;
        Replicator replicator = new Replicator(opened, scheduler, b);
        for (DatabaseReplication db : opened) {
            if (scheduler != null) db.schedule(scheduler);
            Replicator.logReplicating(db);
            replicator.followed(db);
        }
        for (int i = 0; i < failed.size(); i++) replicator.retryLater(failed.get(i), errors.get(i));
        if (scheduler != null) replicator.scheduleParking();
        replicator.logHolding(opened.size(), b.databases.size());
        return replicator;
    }

    /**
     * Says what bounds the databases held when it is not every one of the {@code all} databases (the
     * open-file limit warns: it can be raised; the held memory is a choice), and how many of the
     * {@code followed} are parked.
     */
    static void logHolding(Replicator replicator, HeldMemory memory, int followed, int all) {
        DescriptorLimit limit = DescriptorLimit.forDatabases(all);
        boolean byDescriptors = limit.heldBudget() <= memory.heldBudget();
        if (!limit.enough() && byDescriptors) LOG.warn(limit.warning());
        Replicator.Holding holding = replicator.holding();
        if (holding.parked() == 0) return;
        String bound = byDescriptors ? "the open-file limit's budget" : "held memory of " + (memory.bytes() >= 1L << 20
                ? (memory.bytes() >> 20) + " MiB" : (memory.bytes() >> 10) + " KiB") + ", about " + (HeldMemory.PER_HELD_DATABASE >> 10) + " KiB per database held";
        LOG.info("{} databases followed: {} held open, {} parked (at most {} held: {})", followed, holding.held(),
                holding.parked(), holding.budget(), bound);
    }

    /** Opens one database; an I/O failure setting up the local state becomes a KeelException naming it. */
    static DatabaseReplication open(Replicator.Builder b, DatabaseConfig db) {
        return open(b, db, b.engine.clients());
    }

    static DatabaseReplication open(Replicator.Builder b, DatabaseConfig db, Function<ReplicaConfig, ReplicaClient> clients) {
        try {
            DatabaseReplication d = DatabaseReplication.open(db, b.listener, b.engine.writeGate(),
                    r -> ObservedReplicaClient.of(StorageFailures.marking(clients.apply(r)), db.path(), r.name(), b.listener), b.budget);
            d.maxShadowBacklog(db.maxShadowBacklog() != 0 ? db.maxShadowBacklog() : b.maxShadowBacklog);
            return d;
        } catch (IOException e) {
            if (StorageFailures.find(e) != null) throw EngineCalls.storageFailure(db.path(), "opening the replicas", e);
            throw new KeelException(ErrorCode.IO, "cannot set up Keel's local state: " + e.getMessage(),
                    db.resolvedMetaPath().toString(),
                    "check that the directory beside the database is writable and the disk has space", e);
        }
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
}
