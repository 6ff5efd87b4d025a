package dev.keel.replication.internal;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One database with its monitor and replicas, and the loops that drive them on the shared scheduler. */
public final class DatabaseReplication implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseReplication.class);
    private final DatabaseMonitor monitor;
    private final List<Replica> replicas;
    private final List<ScheduledFuture<?>> loops = new ArrayList<>();
    private volatile DatabaseDriver driver;
    private volatile WalWatch.Registration watch = WalWatch.Registration.NONE;
    private final ReplicationListener listener;
    private long maxShadowBacklog = DEFAULT_MAX_SHADOW_BACKLOG;
    private final HoldBudget budget;

    /** The first wait before a failing replica's sync is retried (or its sync interval when longer). */
    static final Duration MIN_SYNC_BACKOFF = Duration.ofMillis(100);

    /** The longest wait between attempts of a failing replica's sync. */
    static final Duration MAX_SYNC_BACKOFF = Duration.ofSeconds(30);

    /** A replica further behind than this many bytes of WAL gives up its backlog and re-snapshots later. */
    public static final long DEFAULT_MAX_SHADOW_BACKLOG = 1L << 30;

    private DatabaseReplication(DatabaseMonitor monitor, List<Replica> replicas, ReplicationListener listener,
                                HoldBudget budget) {
        this.monitor = monitor;
        this.replicas = replicas;
        this.listener = listener;
        this.budget = budget;
        budget.join(this);
        monitor.replicaPositions(() -> {
            List<Position> positions = new ArrayList<>();
            for (Replica r : replicas) {
                if (!r.positionKnown()) return null; // not read from its listing yet: keep everything
                Position p = r.claim();
                if (p != null) positions.add(p); // null: it starts over with a snapshot and needs no old WAL
            }
            return positions;
        });
    }

    /**
     * Opens the database and a client per replica (checking each replica is reachable). {@code clients}
     * turns a replica's storage into a client; production passes {@link ReplicaClients#open}.
     */
    public static DatabaseReplication open(DatabaseConfig config, ReplicationListener listener, WriteGate gate,
                                           Function<ReplicaConfig, ReplicaClient> clients) throws IOException {
        return open(config, listener, gate, clients, HoldBudget.UNLIMITED);
    }

    /** Opens as above, counting the database in {@code budget} (parked right away when it is full). */
    public static DatabaseReplication open(DatabaseConfig config, ReplicationListener listener, WriteGate gate,
                                           Function<ReplicaConfig, ReplicaClient> clients, HoldBudget budget)
            throws IOException {
        Set<String> names = new HashSet<>();
        for (ReplicaConfig r : config.replicas()) {
            if (!names.add(r.name())) {
                throw new KeelException(ErrorCode.BAD_INPUT, "two replicas are named '" + r.name() + "'",
                        config.path().toString(), "give each replica of a database its own name");
            }
        }
        // Before any replica is created: with the arguments swapped (keel replicate REPLICA DB), a file
        // replica's directory would otherwise appear where the application's database belongs.
        DatabaseHandle.requireDatabaseFile(config.path());
        List<ReplicaClient> opened = new ArrayList<>();
        try {
            for (ReplicaConfig r : config.replicas()) {
                ReplicaClient client = clients.apply(r);
                opened.add(client);
                // A replica that acknowledged writes from this database before (its position is in the local
                // state) is not probed again: a restart of a fleet makes no request per replica. One that
                // became unreachable meanwhile shows at its first upload, in the loop's log and metrics.
                if (new AcknowledgedPosition(config.resolvedMetaPath(), r.name()).read() == null) {
                    verifyUnlessUnreachable(config, r.name(), client);
                }
            }
            List<LeaseKeeper> leases = new ArrayList<>();
            for (int i = 0; i < opened.size(); i++) leases.add(LeaseKeeper.of(config.replicas().get(i), opened.get(i), config.resolvedMetaPath()));
            DatabaseMonitor monitor = DatabaseMonitor.open(config, listener, gate, budget);
            List<Replica> replicas = new ArrayList<>();
            for (int i = 0; i < opened.size(); i++) {
                replicas.add(new Replica(config.replicas().get(i), opened.get(i), monitor, listener, leases.get(i)));
            }
            try {
                for (Replica r : replicas) r.takeLease(); // a replica held by another replicator is refused here
            } catch (RuntimeException e) {
                for (Replica r : replicas) r.releaseLease();
                monitor.close();
                throw e;
            }
            return new DatabaseReplication(monitor, List.copyOf(replicas), listener, budget);
        } catch (IOException | RuntimeException e) {
            for (ReplicaClient c : opened) closeQuietly(c);
            throw e;
        }
    }

    /**
     * Checks the replica's settings, except when its storage cannot be reached at all right now: a
     * server that is restarting when Keel starts is an outage like any other, so the database is followed
     * anyway (its WAL kept in the shadow WAL) and the replica's loop uploads once the storage answers.
     * Refusing to start would leave the application running with nothing replicated. A storage that
     * answers and refuses (credentials, a missing bucket) still fails the start.
     */
    private static void verifyUnlessUnreachable(DatabaseConfig config, String name, ReplicaClient client) {
        try {
            client.verify();
        } catch (RuntimeException e) {
            if (!StorageOutage.isUnreachable(e)) throw e;
            LogFields.failure(LogFields.replica(LOG, org.slf4j.event.Level.WARN, config.path(), name), e).log("{} -> {}: the storage cannot be reached at start ({}); replicating anyway: every change is kept "
                    + "in the local shadow WAL and uploaded once the storage answers", config.path(), client.describe(),
                    FailureLog.describe(e));
        }
    }

    /** Sets the backlog limit per replica in bytes; 0 or less keeps everything until uploaded. */
    public void maxShadowBacklog(long bytes) {
        this.maxShadowBacklog = bytes;
    }

    HoldBudget budget() {
        return budget;
    }

    public DatabaseMonitor monitor() {
        return monitor;
    }

    public List<Replica> replicas() {
        return replicas;
    }

    public Path path() {
        return monitor.path();
    }

    /**
     * Starts this database's driver (one task: monitor tick, then a signal to the replicas, see
     * {@link DatabaseDriver}), the file-system watch that wakes it when the WAL is written (see
     * {@link WalWatch}) and the validation loops where configured.
     */
    public void schedule(ScheduledExecutorService scheduler) {
        List<ReplicaLoop> replicaLoops = new ArrayList<>();
        long period = monitor.config().monitorInterval().toMillis();
        for (Replica r : replicas) {
            replicaLoops.add(new ReplicaLoop(r, path(), listener, scheduler));
            period = Math.min(period, r.config().syncInterval().toMillis());
            Duration validation = r.config().validationInterval();
            if (validation != null && !validation.isZero() && !validation.isNegative()) {
                long v = validation.toMillis();
                String where = "replica " + r.name() + " (" + r.client().describe() + ")";
                loops.add(scheduler.scheduleWithFixedDelay(new LoopTask("validating " + where, path(), r.name(), listener,
                        r::validateNow), v, v, TimeUnit.MILLISECONDS));
            }
        }
        DatabaseDriver d = new DatabaseDriver(this, List.copyOf(replicaLoops), scheduler, period);
        driver = d;
        d.start();
        // A commit is noticed when its WAL write is, not at the next tick; the tick stays the fallback.
        watch.close();
        watch = WalWatch.onWalWrite(path(), d::wake);
        d.watchedBy(watch);
    }

    ReplicationListener listener() {
        return listener;
    }

    /**
     * Parks the database (see {@link DatabaseMonitor#park()}) when every replica holds everything the
     * shadow WAL does, so nothing of it needs the database until it is written again; false otherwise.
     */
    boolean park() {
        Position head = monitor.position();
        if (head == null) return false;
        for (Replica r : replicas) {
            if (!r.positionKnown() || !head.equals(r.position())) return false;
        }
        return monitor.park();
    }

    /** Keeps the local shadow WAL from growing without bound while a replica is unreachable. */
    public void boundShadow() throws IOException {
        if (maxShadowBacklog <= 0) return;
        for (Replica r : replicas) r.dropBacklogOver(maxShadowBacklog);
    }

    /** Stops this database's loops; a round already running finishes. */
    public void unschedule() {
        watch.close();
        watch = WalWatch.Registration.NONE;
        DatabaseDriver d = driver;
        if (d != null) d.stop();
        for (ScheduledFuture<?> f : loops) f.cancel(false);
        loops.clear();
    }

    /** Copies the WAL and uploads to every replica now; throws the first failure after trying all replicas. */
    public void sync() throws IOException, SQLException {
        if (monitor.wantsTakeBack()) budget.makeRoom(this);
        monitor.sync();
        Failures failures = new Failures();
        for (Replica r : replicas) failures.attempt(r::sync);
        failures.rethrow();
    }

    /**
     * The last sync before closing: copies the WAL, uploads to every replica (each tried even when the
     * copy or another replica failed), and logs per replica what it holds or what it could not upload.
     * Never throws: the outcome says what happened.
     */
    public FinalSync finalSync() {
        Exception local = null;
        Exception[] errors = new Exception[replicas.size()];
        List<Behind> behind = List.of();
        // Another round when this one left work that it can do: a replica that found its storage lost what
        // it acknowledged asks for a new generation, and one replica's snapshot may move the WAL past
        // what another replica uploaded in this round. Bounded: a storage that fails is not retried here.
        for (int round = 0; round < FINAL_ROUNDS && (round == 0 || anotherRoundHelps(errors, behind)); round++) {
            local = null;
            try {
                if (monitor.wantsTakeBack()) budget.makeRoom(this);
                monitor.sync();
                if (monitor.wantsTakeBack()) { // still parked: what it holds is unknown, so nothing may be called uploaded
                    throw new DatabaseMonitor.NoFreePlace("the database is parked and no held database could be let go of "
                            + "to take it back for its final sync");
                }
            } catch (IOException | SQLException | RuntimeException e) {
                local = e;
            }
            for (int i = 0; i < replicas.size(); i++) {
                errors[i] = null;
                try {
                    syncTakingAPlace(replicas.get(i));
                } catch (IOException | SQLException | RuntimeException e) {
                    errors[i] = e;
                }
            }
            behind = replicas.stream().map(Behind::of).toList();
        }
        List<FinalSync.Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            Replica r = replicas.get(i);
            outcomes.add(new FinalSync.Outcome(r.name(), r.client().describe(), r.position(), behind.get(i).missing(), errors[i]));
        }
        FinalSync outcome = new FinalSync(path(), monitor.position(), local, List.copyOf(outcomes));
        outcome.log(LOG);
        return outcome;
    }

    private static final int FINAL_ROUNDS = 4;

    /**
     * A replica's sync that needs the parked database (a snapshot) and finds every place of the budget
     * taken: no loop runs during a final sync to free one, so the longest idle held database is parked
     * for it here and the sync is tried once more.
     */
    private void syncTakingAPlace(Replica r) throws IOException, SQLException {
        try {
            r.sync();
        } catch (DatabaseMonitor.NoFreePlace e) {
            budget.makeRoom(this);
            r.sync();
        }
    }

    /** What a replica has not uploaded after a round (null: nothing), or why that is unknown. */
    private record Behind(String missing, boolean unknown) {
        static Behind of(Replica r) {
            try {
                return new Behind(r.notUploaded(), false);
            } catch (IOException | RuntimeException e) {
                return new Behind("unknown (the shadow WAL could not be read: " + e.getMessage() + ")", true);
            }
        }
    }

    /** True when a new generation was asked for, or a replica that did not fail is behind the database. */
    private boolean anotherRoundHelps(Exception[] errors, List<Behind> behind) {
        if (monitor.newGenerationRequested()) return true;
        for (int i = 0; i < replicas.size(); i++) {
            if (errors[i] != null) continue;
            if (behind.get(i).unknown()) return false; // reported with the outcome
            if (behind.get(i).missing() != null) return true;
        }
        return false;
    }

    @Override
    public void close() {
        close(false);
    }

    /** Closes, leaving SQLite's connection open for the process exit that follows (see {@link DatabaseMonitor#closeBeforeExit()}). */
    public void closeBeforeExit() {
        close(true);
    }

    private void close(boolean beforeExit) {
        budget.leave(this);
        unschedule();
        for (Replica r : replicas) r.discardPreparedSnapshot();
        for (Replica r : replicas) r.releaseLease();
        if (beforeExit) {
            monitor.closeBeforeExit();
        } else {
            monitor.close();
        }
        for (Replica r : replicas) closeQuietly(r.client());
    }

    private static void closeQuietly(ReplicaClient c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
    }
}
