package dev.keel.replication.internal;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one task that moves a database: every tick it asks the monitor whether anything changed (a cheap
 * check, see {@link DatabaseMonitor#quiet()}), runs a monitor round when it did, and signals the
 * replicas, which wait for that signal instead of each driving the monitor. Ticks come every
 * {@code monitor-interval} (or the shortest replica {@code sync-interval} when that is shorter),
 * aligned to multiples of it so that a fleet's ticks fall due together and the scheduler wakes once per
 * interval rather than once per database; and every {@value #BUSY_TICK_MS} ms while the WAL grows by
 * more than half the checkpoint threshold per tick, so the WAL stays near {@code min-checkpoint-page-count}
 * pages however fast the application writes.
 */
final class DatabaseDriver {
    static final long BUSY_TICK_MS = 25;

    private final DatabaseReplication db;
    private final List<ReplicaLoop> replicas;
    private final ScheduledExecutorService scheduler;
    private final LoopTask tick;
    private final long periodMs;
    private volatile boolean running;
    private volatile ScheduledFuture<?> next;
    private long lastRoundBytes;

    DatabaseDriver(DatabaseReplication db, List<ReplicaLoop> replicas, ScheduledExecutorService scheduler, long periodMs) {
        this.db = db;
        this.replicas = replicas;
        this.scheduler = scheduler;
        this.periodMs = Math.max(1, periodMs);
        this.tick = new LoopTask("monitoring the WAL", db.path(), null, db.listener(), this::round);
    }

    void start() {
        running = true;
        schedule(0);
    }

    private void round() throws Exception {
        lastRoundBytes = 0;
        try {
            if (!db.monitor().quiet()) {
                lastRoundBytes = db.monitor().sync();
                db.boundShadow();
            }
        } finally {
            for (ReplicaLoop r : replicas) r.signal(); // a replica retries its failed uploads even when the WAL is idle
        }
    }

    private void schedule(long delayMs) {
        if (!running) return;
        try {
            next = scheduler.schedule(() -> {
                tick.run();
                long busyBytes = (long) db.monitor().config().minCheckpointPageCount() * db.monitor().pageSize() / 2;
                schedule(lastRoundBytes >= busyBytes ? BUSY_TICK_MS : untilNextBoundary());
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // the replicator is closing
        }
    }

    /** Milliseconds to the next multiple of the period on the wall clock (at least 1/4 period away). */
    private long untilNextBoundary() {
        long now = System.currentTimeMillis();
        long wait = periodMs - now % periodMs;
        return wait < periodMs / 4 ? wait + periodMs : wait;
    }

    /** Stops ticking and signalling; a round already running finishes. */
    void stop() {
        running = false;
        for (ReplicaLoop r : replicas) r.stop();
        ScheduledFuture<?> f = next;
        if (f != null) f.cancel(false);
    }
}
