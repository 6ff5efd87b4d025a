package dev.keel.replication.internal;

import dev.keel.replication.spi.ReplicationListener;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One replica's background work, started by its database's driver instead of a timer of its own: when
 * the driver signals that the replica has work (new shadow WAL, a snapshot due, a failed upload to
 * retry), one sync round starts. The rate limit is leading-edge: a replica whose last round is at
 * least {@code sync-interval} old uploads at once, so a lone commit ships as soon as the driver noticed
 * it; otherwise the driver signals again when the interval has passed, so under load the commits of
 * each interval share one upload and a steady writer costs one request per interval, as with a tick.
 * An idle replica has nothing scheduled and costs nothing. Retention runs at its interval, and only
 * after the replica stored something since the last pass (an idle replica makes no listing).
 */
final class ReplicaLoop {
    private final Replica replica;
    private final ScheduledExecutorService scheduler;
    private final LoopTask sync;
    private final LoopTask retention;
    private final long intervalNanos;
    private final long retentionNanos;
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile long lastRound = System.nanoTime() - Long.MAX_VALUE / 4;
    private long nextRetention;
    private long uploadsAtRetention;
    private final AtomicBoolean retaining = new AtomicBoolean();

    ReplicaLoop(Replica replica, java.nio.file.Path db, ReplicationListener listener, ScheduledExecutorService scheduler) {
        this.replica = replica;
        this.scheduler = scheduler;
        String where = "replica " + replica.name() + " (" + replica.client().describe() + ")";
        Duration interval = replica.config().syncInterval();
        this.intervalNanos = interval.toNanos();
        // A failing replica backs off (doubling up to MAX_SYNC_BACKOFF): a storage server that is down
        // costs a few attempts a minute, not one every interval.
        this.sync = new LoopTask("syncing " + where, db, replica.name(), listener, replica::sync)
                .backoff(Duration.ofMillis(Math.max(interval.toMillis(), DatabaseReplication.MIN_SYNC_BACKOFF.toMillis())),
                        DatabaseReplication.MAX_SYNC_BACKOFF);
        this.retention = new LoopTask("enforcing retention on " + where, db, replica.name(), listener, replica::enforceRetention);
        this.retentionNanos = replica.config().retentionCheckInterval().toNanos();
        this.nextRetention = System.nanoTime() + retentionNanos;
    }

    /**
     * The driver's signal after each tick: starts a sync round when the replica has work, may upload now
     * and has none queued. Returns how many nanoseconds until the replica with work may upload (0: now
     * or no work): the driver signals again then, after copying what was committed meanwhile, so a
     * round never races the copy that should go into it.
     */
    long signal() {
        if (stopped) return 0;
        maybeRetention();
        // No round for a lease alone: an idle replica lets it lapse and takes it back before its next write.
        if (!replica.hasWork()) return 0;
        long wait = readyInNanos();
        if (wait > 0) return wait;
        if (queued.compareAndSet(false, true)) submit(this::runSync, 0);
        return 0;
    }

    /** How long until this replica may start its next round (0: it would upload at once). */
    long readyInNanos() {
        return Math.max(0, lastRound + intervalNanos - System.nanoTime());
    }

    private void runSync() {
        lastRound = System.nanoTime();
        try {
            if (!stopped) sync.run();
        } finally {
            queued.set(false);
        }
    }

    private void maybeRetention() {
        if (retentionNanos <= 0 || System.nanoTime() - nextRetention < 0) return;
        nextRetention = System.nanoTime() + retentionNanos;
        long uploads = replica.uploads();
        if (uploads == uploadsAtRetention || !retaining.compareAndSet(false, true)) return;
        uploadsAtRetention = uploads;
        submit(() -> {
            try {
                if (!stopped) retention.run();
            } finally {
                retaining.set(false);
            }
        }, 0);
    }

    private void submit(Runnable r, long delayNanos) {
        try {
            scheduler.schedule(r, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            queued.set(false);
            retaining.set(false);
        }
    }

    /** No further rounds start; one running finishes. */
    void stop() {
        stopped = true;
    }
}
