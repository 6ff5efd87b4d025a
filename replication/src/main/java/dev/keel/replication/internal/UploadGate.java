package dev.keel.replication.internal;

import java.time.Duration;

/**
 * When one replica may start its next upload, decided from the times of its own events only. Lone and
 * bursty commits go at once: an upload may start when none is in flight and the last one started at
 * least a short gap ago ({@link #minGap}: a fifth of {@code sync-interval}, at least 50 ms). Under
 * sustained load, when each of the last {@value #SUSTAINED_AFTER} uploads found commits that had been
 * made to wait, the gap becomes the whole {@code sync-interval}, so a steady writer costs one upload per
 * interval as with a tick; commits that then find the replica caught up for at least the short gap
 * (the writer paused) end it.
 *
 * <p>Pure: it reads no clock and starts nothing; the replica's loop passes {@code System.nanoTime()}
 * values in and acts on the {@link Decision}. Not thread-safe: the caller serializes its calls.
 */
final class UploadGate {
    /** Consecutive uploads that found commits waiting before the gap becomes the whole sync interval. */
    static final int SUSTAINED_AFTER = 10;
    /** The short gap's lower bound: below it, uploads are as fast as storage requests anyway. */
    static final Duration MIN_GAP_FLOOR = Duration.ofMillis(50);

    private static final long NONE = Long.MIN_VALUE;

    /** What to do with work that is waiting now. */
    record Decision(Kind kind, long waitNanos) {
        enum Kind {
            /** Start the upload now; the gate counts it as in flight until {@link #finished}. */
            UPLOAD,
            /** Ask again in {@link #waitNanos()}. */
            WAIT,
            /** An upload is in flight: ask again when it ends. */
            AFTER_CURRENT
        }

        static final Decision UPLOAD_NOW = new Decision(Kind.UPLOAD, 0);
        static final Decision AFTER_CURRENT_UPLOAD = new Decision(Kind.AFTER_CURRENT, 0);

        static Decision waitFor(long nanos) {
            return new Decision(Kind.WAIT, nanos);
        }

        boolean uploadNow() {
            return kind == Kind.UPLOAD;
        }

        @Override
        public String toString() {
            return kind == Kind.WAIT ? "wait " + Duration.ofNanos(waitNanos) : kind.name().toLowerCase();
        }
    }

    private final long intervalNanos;
    private final long minGapNanos;
    private final int sustainedAfter;

    private boolean inFlight;
    private long lastStart = NONE;
    private long lastEnd = NONE;
    /** When the work waiting now was first seen (NONE: the replica is caught up, or its work is in flight). */
    private long waitingSince = NONE;
    /** True when the work waiting now was told to wait (the next upload then finds a backlog). */
    private boolean held;
    /** Consecutive uploads that found a backlog. */
    private int streak;
    private boolean sustained;

    UploadGate(Duration syncInterval) {
        this(syncInterval.toNanos(), minGap(syncInterval).toNanos(), SUSTAINED_AFTER);
    }

    UploadGate(long intervalNanos, long minGapNanos, int sustainedAfter) {
        if (intervalNanos < 0 || minGapNanos < 0 || minGapNanos > intervalNanos || sustainedAfter < 1) {
            throw new IllegalArgumentException("interval " + intervalNanos + " ns, gap " + minGapNanos + " ns, after " + sustainedAfter);
        }
        this.intervalNanos = intervalNanos;
        this.minGapNanos = minGapNanos;
        this.sustainedAfter = sustainedAfter;
    }

    /** The short gap for a sync interval: a fifth of it, at least {@link #MIN_GAP_FLOOR}, at most the interval. */
    static Duration minGap(Duration syncInterval) {
        Duration fifth = syncInterval.dividedBy(5);
        Duration gap = fifth.compareTo(MIN_GAP_FLOOR) < 0 ? MIN_GAP_FLOOR : fifth;
        return gap.compareTo(syncInterval) > 0 ? syncInterval : gap;
    }

    /**
     * A commit was noticed at {@code now} (the WAL was written; it is not in the shadow WAL yet): when
     * could it be uploaded? Records when the work began to wait, so a pause is judged from the commit
     * and not from when the copy reached the replica's loop. Starts nothing.
     */
    Decision seen(long now) {
        if (waitingSince == NONE) {
            if (endsLoad(now)) {
                sustained = false; // the writer paused: its next commits are a new burst
                streak = 0;
            }
            waitingSince = now;
        }
        Decision d = next(now);
        if (!d.uploadNow()) held = true;
        return d;
    }

    /**
     * The replica has work at {@code now} (asked again for the same work until it is uploaded). An
     * {@link Decision.Kind#UPLOAD} decision counts as the start of that upload.
     */
    Decision decide(long now) {
        Decision d = seen(now);
        if (!d.uploadNow()) return d;
        streak = held ? streak + 1 : 0;
        if (streak >= sustainedAfter) sustained = true;
        held = false;
        waitingSince = NONE;
        inFlight = true;
        lastStart = now;
        return d;
    }

    /** The replica was found holding everything: what was noticed is in it (unless an upload is in flight). */
    void caughtUp() {
        if (inFlight) return;
        waitingSince = NONE;
        held = false;
    }

    /** What {@link #decide} would answer for a commit made at {@code now}; changes nothing. */
    Decision preview(long now) {
        return waitingSince == NONE && endsLoad(now) ? Decision.UPLOAD_NOW : next(now);
    }

    private Decision next(long now) {
        if (inFlight) return Decision.AFTER_CURRENT_UPLOAD;
        if (lastStart == NONE) return Decision.UPLOAD_NOW;
        long wait = lastStart + (sustained ? intervalNanos : minGapNanos) - now;
        return wait > 0 ? Decision.waitFor(wait) : Decision.UPLOAD_NOW;
    }

    /**
     * The upload that started at the last {@link Decision.Kind#UPLOAD} ended; {@code workLeft}: the
     * replica still has work (commits copied meanwhile). Commits noticed meanwhile stay waiting too.
     */
    void finished(long now, boolean workLeft) {
        inFlight = false;
        lastEnd = now;
        if (workLeft && waitingSince == NONE) {
            waitingSince = now;
            held = true; // they waited for this upload
        }
    }

    /** True while the gap is the whole sync interval. */
    boolean sustained() {
        return sustained;
    }

    /**
     * True when a commit noticed at {@code now}, with nothing waiting, ends sustained load: the replica
     * has been caught up for a short gap (the last upload, which started even earlier, is over).
     */
    private boolean endsLoad(long now) {
        return sustained && !inFlight && (lastEnd == NONE || now - lastEnd >= minGapNanos);
    }

    @Override
    public String toString() {
        return (sustained ? "sustained" : "eager") + (inFlight ? ", uploading" : "") + ", streak " + streak;
    }
}
