package dev.keel.replication.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many databases one replicator holds open at most (each held database costs a few descriptors,
 * see {@code DescriptorLimit}), and the parking of the least recently written beyond that. A parked
 * database holds no descriptor and no read transaction; its driver checks it with a stat each tick and
 * takes it back on the first change, when a place is free ({@link #tryHold(Object)}). Places are freed by
 * {@link #enforce}, which parks the held databases idle the longest: a database whose WAL was copied,
 * whose replicas have uploaded all of it and which nothing touched for a while.
 */
public final class HoldBudget {
    /** No limit: every database stays held (an unknown descriptor limit, or a test that wants it). */
    public static final HoldBudget UNLIMITED = new HoldBudget(Integer.MAX_VALUE);

    private final int limit;
    private final AtomicInteger held = new AtomicInteger();
    /** Databases whose take-back was refused and that have not got a place since: that many more places are freed. */
    private final Set<Object> waiting = ConcurrentHashMap.newKeySet();
    private final Set<DatabaseReplication> members = ConcurrentHashMap.newKeySet();

    public HoldBudget(int limit) {
        if (limit < 1) throw new IllegalArgumentException("a hold budget of at least 1 database: " + limit);
        this.limit = limit;
    }

    /** The most databases held at once. */
    public int limit() {
        return limit;
    }

    /** Databases held now. */
    public int held() {
        return held.get();
    }

    /** Databases followed and parked now. */
    public int parked() {
        int n = 0;
        for (DatabaseReplication d : members) if (d.monitor().isParked()) n++;
        return n;
    }

    /**
     * Takes a place for a database about to be opened; false when none is free (it then starts parked,
     * unopened, and waits for a place like any parked database).
     */
    boolean tryHoldAtOpen() {
        while (true) {
            int h = held.get();
            if (h >= limit) return false;
            if (held.compareAndSet(h, h + 1)) return true;
        }
    }

    /**
     * True when a place is free now for {@code who}, a parked database that wants to be taken back; when
     * none is, {@code who} counts as waiting (so {@link #enforce} frees one) and its driver runs no round
     * that could only fail to get a place.
     */
    boolean placeFree(Object who) {
        if (held.get() < limit) return true;
        waiting.add(who);
        return false;
    }

    /** Takes a place for {@code who} to be taken back; false (and {@code who} counted as waiting) when there is none. */
    boolean tryHold(Object who) {
        while (true) {
            int h = held.get();
            if (h >= limit) {
                waiting.add(who);
                return false;
            }
            if (held.compareAndSet(h, h + 1)) {
                waiting.remove(who);
                return true;
            }
        }
    }

    /** {@code who} no longer waits for a place (it was closed). */
    void forget(Object who) {
        waiting.remove(who);
    }

    /** A held database was parked or closed. */
    void release() {
        held.decrementAndGet();
    }

    void join(DatabaseReplication db) {
        if (this != UNLIMITED) members.add(db);
    }

    void leave(DatabaseReplication db) {
        members.remove(db);
    }

    /**
     * Frees a place for {@code taker} now when none is free, by parking the held database idle the longest
     * (without background loops, a sync takes a parked database back at once instead of waiting for
     * {@link #enforce}).
     */
    void makeRoom(DatabaseReplication taker) {
        if (held.get() < limit) return;
        List<DatabaseReplication> candidates = new ArrayList<>();
        for (DatabaseReplication d : members) {
            if (d != taker && d.monitor().isHeld()) candidates.add(d);
        }
        candidates.sort(Comparator.comparingLong(d -> d.monitor().lastActiveNanos()));
        for (DatabaseReplication d : candidates) {
            if (d.park()) return;
        }
    }

    /**
     * Places kept free between two {@link #enforce} calls, so that the first write to a parked database
     * takes it back at once instead of waiting for a place: a twentieth of the budget, at most 64.
     */
    int slack() {
        return limit == Integer.MAX_VALUE ? 0 : Math.max(1, Math.min(64, limit / 20));
    }

    /**
     * Parks held databases, least recently active first, until the budget holds with {@link #slack()}
     * places free and a place for every database whose take-back was refused and is still waiting; only
     * databases idle for at least {@code idleNanos} are parked. Returns how many were parked.
     */
    public int enforce(long idleNanos) {
        int parked = 0;
        for (DatabaseReplication d : toPark(idleNanos, 0)) {
            if (d.park()) parked++;
        }
        return parked;
    }

    /**
     * As {@link #enforce(long)}, each park a task of its own on {@code pool}: letting go of a database
     * closes SQLite's connection, which checkpoints and fsyncs when it is the last one, so parking a few
     * thousand databases one after the other (a fleet beyond the budget taking its first snapshots) would
     * hold every waiting database back. Parks still running count against the next call's share.
     * Returns how many parks were started.
     */
    public int enforce(long idleNanos, Executor pool) {
        List<DatabaseReplication> chosen = toPark(idleNanos, parking.get());
        for (DatabaseReplication d : chosen) {
            parking.incrementAndGet();
            try {
                pool.execute(() -> {
                    try {
                        d.park();
                    } finally {
                        parking.decrementAndGet();
                    }
                });
            } catch (RejectedExecutionException closing) {
                parking.decrementAndGet();
                return 0;
            }
        }
        return chosen.size();
    }

    /** Parks started by {@link #enforce(long, Executor)} and not finished. */
    private final AtomicInteger parking = new AtomicInteger();

    /** The held databases to park now, least recently active first, {@code inFlight} parks already under way. */
    private List<DatabaseReplication> toPark(long idleNanos, int inFlight) {
        int want = held.get() - (limit - slack()) + waiting.size() - inFlight;
        if (want <= 0) return List.of();
        long now = System.nanoTime();
        List<DatabaseReplication> candidates = new ArrayList<>();
        for (DatabaseReplication d : members) {
            if (d.monitor().isHeld() && now - d.monitor().lastActiveNanos() >= idleNanos) candidates.add(d);
        }
        candidates.sort(Comparator.comparingLong(d -> d.monitor().lastActiveNanos()));
        return candidates.subList(0, Math.min(want, candidates.size()));
    }
}
