package dev.keel.replication.internal;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thing that moves a database: at every tick of its {@link FleetTicker} it asks the monitor
 * whether anything changed (a cheap check, see {@link DatabaseMonitor#quiet()}); when something did, it
 * runs a monitor round as a task of its own on the pool; either way it then signals the replicas, which
 * wait for that signal instead of each driving the monitor. Ticks come every {@code monitor-interval}
 * (or the shortest replica {@code sync-interval} when that is shorter), and sooner while the WAL grows
 * (see {@link #nextRoundMs}), so a round, and the checkpoint it may run, comes before the WAL passes
 * {@code min-checkpoint-page-count} pages, as long as a checkpoint is quicker than the writes. Between
 * ticks, the file-system watch wakes it when the WAL is written ({@link #wake()}; its wake-ups then stop
 * until a round finds the database quiet, see {@link WalWatch}), and a replica that must wait (see
 * {@link UploadGate}) gets a tick of its own when it may upload, or when its upload in flight ends.
 */
final class DatabaseDriver {
    static final long BUSY_TICK_MS = 25;
    static final long MIN_BUSY_TICK_MS = 5;
    private static final long NO_WAKE = Long.MIN_VALUE;

    private final DatabaseReplication db;
    private final List<ReplicaLoop> replicas;
    private final ScheduledExecutorService scheduler;
    private final LoopTask round;
    private final long periodMs;
    /** True while a round is queued or running (busy rounds follow each other without the ticker). */
    private final AtomicBoolean working = new AtomicBoolean();
    /** When the next wake-up is scheduled ({@link #NO_WAKE}: none); a later one is covered by it, an earlier one is scheduled too. */
    private final AtomicLong wakeAt = new AtomicLong(NO_WAKE);
    /** True when a wake-up found a round running: the round looks again when it ends. */
    private final AtomicBoolean wakeMissed = new AtomicBoolean();
    private volatile boolean running;
    private volatile WalWatch.Registration watch = WalWatch.Registration.NONE;
    private FleetTicker ticker;
    private long lastRoundBytes;
    /** When the last round ended (its last copy); 0 before the first. */
    private long lastRoundEndNanos;

    DatabaseDriver(DatabaseReplication db, List<ReplicaLoop> replicas, ScheduledExecutorService scheduler, long periodMs) {
        this.db = db;
        this.replicas = replicas;
        this.scheduler = scheduler;
        this.periodMs = Math.max(1, periodMs);
        this.round = new LoopTask("monitoring the WAL", db.path(), null, db.listener(), this::monitorRound);
        for (ReplicaLoop r : replicas) r.afterRound(this::tickWhenReady);
    }

    void start() {
        running = true;
        ticker = FleetTicker.join(scheduler, periodMs, this);
        if (working.compareAndSet(false, true)) submit(0); // the first round right away: a new generation's snapshot
    }

    /** The file-system watch whose wake-ups reach this driver, re-armed when a round leaves the database quiet. */
    void watchedBy(WalWatch.Registration registration) {
        watch = registration;
    }

    /** The ticker's call: cheap when nothing changed. */
    void tick() {
        if (!running || working.get()) return;
        if (db.monitor().quiet()) {
            // Wake-ups a round did not re-arm come back on a quiet tick: the wake-up for Keel's own last
            // write of a round can arrive after that round ended. Checked again after: a write between the
            // check and the re-arm is then noticed either way.
            if (watch.rearm() && !db.monitor().quiet()) {
                if (working.compareAndSet(false, true)) submit(0);
                return;
            }
            signalReplicas(); // a replica retries its failed uploads even when the WAL is idle
        } else if (working.compareAndSet(false, true)) {
            submit(0);
        }
    }

    /**
     * The WAL was written ({@link WalWatch}): a tick when some replica may upload the commit now,
     * otherwise when the first one may (its round then finds the commit copied); none while every
     * replica is uploading (each one's end calls {@link #tickWhenReady()}). Cheap and non-blocking:
     * called on the watch's thread, possibly for every commit of a busy database.
     */
    void wake() {
        long delay = replicas.isEmpty() ? 0 : Long.MAX_VALUE; // no replica: the shadow WAL alone, copied at once
        for (ReplicaLoop r : replicas) delay = Math.min(delay, r.noticed());
        if (delay != Long.MAX_VALUE) wakeIn(delay);
    }

    /** A tick when some replica may upload what waits (after an upload ended, or a wake-up that found a round running). */
    private void tickWhenReady() {
        long delay = replicas.isEmpty() ? 0 : Long.MAX_VALUE;
        for (ReplicaLoop r : replicas) delay = Math.min(delay, r.readyInNanos());
        if (delay != Long.MAX_VALUE) wakeIn(delay);
    }

    /** A tick in {@code delayNanos}, unless one is scheduled no later (it covers this one). */
    private void wakeIn(long delayNanos) {
        if (!running) return;
        long at = System.nanoTime() + delayNanos;
        while (true) {
            long queued = wakeAt.get();
            if (queued != NO_WAKE && queued - at <= 0) return;
            if (wakeAt.compareAndSet(queued, at)) break;
        }
        try {
            scheduler.schedule(() -> woken(at), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            wakeAt.compareAndSet(at, NO_WAKE);
        }
    }

    /** A scheduled wake-up; one replaced by an earlier one has been served by it and does nothing. */
    private void woken(long at) {
        if (!wakeAt.compareAndSet(at, NO_WAKE)) return;
        wakeMissed.set(true);
        if (!working.get() && wakeMissed.getAndSet(false)) tick();
    }

    private void monitorRound() throws Exception {
        lastRoundBytes = 0;
        try {
            long started = System.nanoTime();
            lastRoundBytes = db.monitor().sync();
            db.boundShadow();
            reportSynced(started);
        } finally {
            signalReplicas();
        }
    }

    dev.keel.replication.spi.ReplicationListener listener() {
        return db.listener();
    }

    /** Tells the listener about a round that worked, with the sizes Litestream reports (a stat each, no open). */
    private void reportSynced(long startedNanos) {
        java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - startedNanos);
        try {
            java.nio.file.Path path = db.path();
            db.listener().synced(path, sizeOf(path), sizeOf(path.resolveSibling(path.getFileName() + "-wal")), took);
        } catch (RuntimeException ignored) {
            // a listener must not stop the round
        }
    }

    private static long sizeOf(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.size(file);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private void runRound() {
        long next = -1;
        try {
            if (!running) return;
            round.run();
            long now = System.nanoTime();
            long elapsed = lastRoundEndNanos == 0 ? 0 : now - lastRoundEndNanos;
            lastRoundEndNanos = now;
            DatabaseMonitor m = db.monitor();
            if (running) next = nextRoundMs(lastRoundBytes, elapsed, m.walFrames() * m.pageSize(), (long) m.config().minCheckpointPageCount() * m.pageSize());
        } finally {
            if (next >= 0 && next <= BUSY_TICK_MS) {
                submit(next); // its wake-ups stay stopped: busy rounds follow each other
            } else {
                working.set(false);
                boolean rearmed = running && watch.rearm();
                if (next > 0) wakeIn(TimeUnit.MILLISECONDS.toNanos(next)); // sooner than an upload may let the watch's wake-up come
                if (wakeMissed.getAndSet(false)) {
                    tickWhenReady();
                } else if (rearmed && !db.monitor().quiet()) {
                    wake(); // written after this round looked and before the watch was back: noticed here
                }
            }
        }
    }

    /**
     * When the next round must come, in ms, from the pace at which the WAL grew up to this round
     * ({@code roundBytes} copied in the {@code elapsedNanos} since the round before ended) so that it
     * comes, and checkpoints, before the WAL reaches the checkpoint threshold; -1 when the watch and
     * the replicas' own ticks are soon enough (no write, or the threshold more than a second away).
     * A WAL that grows by half the threshold or more per {@value #BUSY_TICK_MS} ms is busy: its rounds
     * follow each other at once (see {@link #busyTickMs}). A slower one gets a tick when half of what is
     * left below the threshold would be written: its watch's wake-ups wait for an upload to be allowed
     * (up to {@code sync-interval} under load, see {@link UploadGate}), which would let the WAL pass the
     * threshold, where every commit of an application at SQLite's defaults tries a checkpoint that
     * Keel's read holds back. The pace is measured, not taken from the round alone: a round that came
     * soon after the last one copied little, but the WAL grows as fast.
     */
    static long nextRoundMs(long roundBytes, long elapsedNanos, long walBytes, long thresholdBytes) {
        if (roundBytes <= 0 || elapsedNanos <= 0) return -1;
        long busyBytes = thresholdBytes / 2;
        double perTick = (double) roundBytes * TimeUnit.MILLISECONDS.toNanos(BUSY_TICK_MS) / elapsedNanos;
        if (perTick >= busyBytes) return busyTickMs((long) perTick, busyBytes);
        double headroomMs = Math.max(0, thresholdBytes - walBytes) / 2.0 * elapsedNanos / roundBytes / 1e6;
        return headroomMs > 1000 ? -1 : Math.max(MIN_BUSY_TICK_MS, (long) headroomMs);
    }

    /**
     * The pause before the next busy round: {@value #BUSY_TICK_MS} ms when the WAL grows by half the
     * checkpoint threshold ({@code busyBytes}) per {@value #BUSY_TICK_MS} ms ({@code roundBytes}), shorter
     * in proportion when it grows faster (down to {@value #MIN_BUSY_TICK_MS} ms), so a round, and the
     * checkpoint it may run, comes before the WAL passes the threshold.
     */
    static long busyTickMs(long roundBytes, long busyBytes) {
        return Math.max(MIN_BUSY_TICK_MS, BUSY_TICK_MS * busyBytes / Math.max(1, roundBytes));
    }

    private void submit(long delayMs) {
        try {
            scheduler.schedule(this::runRound, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            working.set(false);
        }
    }

    /** Signals every replica; one with work that must wait for its interval gets a tick when it may upload. */
    private void signalReplicas() {
        long next = Long.MAX_VALUE;
        for (ReplicaLoop r : replicas) {
            long wait = r.signal();
            if (wait > 0) next = Math.min(next, wait);
        }
        if (next != Long.MAX_VALUE) wakeIn(next);
    }

    /** Stops ticking and signalling; a round already running finishes. */
    void stop() {
        running = false;
        FleetTicker t = ticker;
        if (t != null) t.leave(this);
        for (ReplicaLoop r : replicas) r.stop();
    }
}
