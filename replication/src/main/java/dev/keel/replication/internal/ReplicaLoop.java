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
 * retry), its {@link UploadGate} decides whether a sync round starts now or when. A lone or bursty
 * commit is uploaded as soon as the driver noticed it, unless an upload is in flight or the last one
 * started less than the gate's short gap ago; under sustained load the gate spaces uploads by the
 * whole {@code sync-interval}, so a steady writer costs one request per interval, as with a tick. When
 * the replica must wait, the driver signals again at the time the gate named, or when the upload in
 * flight ends (this loop tells it then), after copying what was committed meanwhile, so a round never
 * races the copy that should go into it. An idle replica has nothing scheduled and costs nothing.
 * Retention runs at its interval, and only after the replica stored something since the last pass (an
 * idle replica makes no listing).
 */
final class ReplicaLoop {
    private final Replica replica;
    private final ScheduledExecutorService scheduler;
    private final LoopTask sync;
    private final LoopTask retention;
    private final long retentionNanos;
    /** Guarded by itself: the driver's rounds, this loop's rounds and the WAL watch's thread all ask it. */
    private final UploadGate gate;
    /** True when the driver was told to wait for the upload in flight: its end wakes the driver. */
    private boolean wakeAfterRound;
    private volatile Runnable afterRound = () -> { };
    private volatile boolean stopped;
    private long nextRetention;
    private long uploadsAtRetention;
    private final AtomicBoolean retaining = new AtomicBoolean();

    ReplicaLoop(Replica replica, java.nio.file.Path db, ReplicationListener listener, ScheduledExecutorService scheduler) {
        this.replica = replica;
        this.scheduler = scheduler;
        String where = "replica " + replica.name() + " (" + replica.client().describe() + ")";
        Duration interval = replica.config().syncInterval();
        this.gate = new UploadGate(interval);
        // A failing replica backs off (doubling up to MAX_SYNC_BACKOFF): a storage server that is down
        // costs a few attempts a minute, not one every interval.
        this.sync = new LoopTask("syncing " + where, db, replica.name(), listener, replica::sync)
                .backoff(Duration.ofMillis(Math.max(interval.toMillis(), DatabaseReplication.MIN_SYNC_BACKOFF.toMillis())),
                        DatabaseReplication.MAX_SYNC_BACKOFF);
        this.retention = new LoopTask("enforcing retention on " + where, db, replica.name(), listener, replica::enforceRetention);
        this.retentionNanos = replica.config().retentionCheckInterval().toNanos();
        this.nextRetention = System.nanoTime() + retentionNanos;
    }

    /** What the driver does when an upload that left work, or that work was told to wait for, ended: it copies and signals again. */
    void afterRound(Runnable wake) {
        this.afterRound = wake;
    }

    /**
     * The driver's signal after each tick: when the replica has work, starts a sync round if the gate
     * lets it upload now. Returns how many nanoseconds until the replica with work may upload (0: now,
     * no work, or when the upload in flight ends, which wakes the driver itself): the driver signals
     * again then, after copying what was committed meanwhile.
     */
    long signal() {
        if (stopped) return 0;
        maybeRetention();
        // No round for a lease alone: an idle replica lets it lapse and takes it back before its next write.
        if (!replica.hasWork()) {
            synchronized (gate) {
                gate.caughtUp();
            }
            return 0;
        }
        UploadGate.Decision d;
        synchronized (gate) {
            d = gate.decide(System.nanoTime());
            if (d.kind() == UploadGate.Decision.Kind.AFTER_CURRENT) wakeAfterRound = true;
        }
        if (d.uploadNow() && !submit(this::runSync)) {
            synchronized (gate) {
                gate.finished(System.nanoTime(), true); // closing: no upload started
            }
        }
        return d.kind() == UploadGate.Decision.Kind.WAIT ? d.waitNanos() : 0;
    }

    /**
     * The WAL was written now: how long until that commit could be uploaded (0: at once), so the
     * driver copies it then; Long.MAX_VALUE while an upload is in flight, whose end wakes the driver.
     */
    long noticed() {
        synchronized (gate) {
            UploadGate.Decision d = gate.seen(System.nanoTime());
            if (d.kind() != UploadGate.Decision.Kind.AFTER_CURRENT) return d.waitNanos();
            wakeAfterRound = true;
            return Long.MAX_VALUE;
        }
    }

    /** How long until work waiting now could be uploaded (0: at once; Long.MAX_VALUE: when the upload in flight ends). */
    long readyInNanos() {
        synchronized (gate) {
            UploadGate.Decision d = gate.preview(System.nanoTime());
            return d.kind() == UploadGate.Decision.Kind.AFTER_CURRENT ? Long.MAX_VALUE : d.waitNanos();
        }
    }

    private void runSync() {
        try {
            if (!stopped) sync.run();
        } finally {
            roundEnded();
        }
    }

    private void roundEnded() {
        boolean workLeft = !stopped && replica.hasWork();
        boolean wake;
        synchronized (gate) {
            gate.finished(System.nanoTime(), workLeft);
            wake = wakeAfterRound || workLeft;
            wakeAfterRound = false;
        }
        if (wake && !stopped) afterRound.run();
    }

    private void maybeRetention() {
        if (retentionNanos <= 0 || System.nanoTime() - nextRetention < 0) return;
        nextRetention = System.nanoTime() + retentionNanos;
        long uploads = replica.uploads();
        if (uploads == uploadsAtRetention || !retaining.compareAndSet(false, true)) return;
        uploadsAtRetention = uploads;
        boolean submitted = submit(() -> {
            try {
                if (!stopped) retention.run();
            } finally {
                retaining.set(false);
            }
        });
        if (!submitted) retaining.set(false);
    }

    private boolean submit(Runnable r) {
        try {
            scheduler.schedule(r, 0, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            return false;
        }
        return true;
    }

    /** No further rounds start; one running finishes. */
    void stop() {
        stopped = true;
    }
}
