package dev.keel.replication.internal;

import dev.keel.core.KeelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which failures of one background loop reach the log: the first of a kind, then a reminder
 * with a count at most every {@link #REMINDER}, then the recovery. "Same kind" means the same exception
 * classes along the cause chain and the same error code, not the same text, because messages carry
 * keys, positions and timings that change every round.
 */
final class FailureLog {
    static final Duration REMINDER = Duration.ofMinutes(5);

    private final long reminderNanos;
    private String kind;
    private long firstNanos;
    private long lastLoggedNanos;
    private long failures;
    private long unlogged;

    FailureLog() {
        this(REMINDER);
    }

    FailureLog(Duration reminder) {
        this.reminderNanos = reminder.toNanos();
    }

    /** Records a failed round at {@code nowNanos}; returns the line to log at WARN, or null to stay quiet. */
    String failed(Throwable e, long nowNanos) {
        String k = kindOf(e);
        if (!k.equals(kind)) {
            boolean switched = kind != null;
            kind = k;
            if (!switched) firstNanos = nowNanos;
            lastLoggedNanos = nowNanos;
            failures = switched ? failures + 1 : 1;
            unlogged = 0;
            return "failed, will retry: " + describe(e);
        }
        failures++;
        unlogged++;
        if (nowNanos - lastLoggedNanos < reminderNanos) return null;
        String line = "still failing (" + unlogged + " more failures in the last " + human(nowNanos - lastLoggedNanos)
                + ", " + failures + " since " + human(nowNanos - firstNanos) + " ago): " + describe(e);
        lastLoggedNanos = nowNanos;
        unlogged = 0;
        return line;
    }

    /** Records a round that worked; returns the recovery line to log at INFO, or null when nothing was failing. */
    String succeeded(long nowNanos) {
        if (kind == null) return null;
        String line = "works again after " + failures + (failures == 1 ? " failure" : " failures") + " in "
                + human(nowNanos - firstNanos);
        kind = null;
        failures = 0;
        unlogged = 0;
        return line;
    }

    /** Exception classes along the cause chain plus the error code of any {@link KeelException} in it. */
    static String kindOf(Throwable e) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = t.getCause(), depth++) {
            parts.add(t instanceof KeelException k ? t.getClass().getName() + "/" + k.code() : t.getClass().getName());
            if (t.getCause() == t) break;
        }
        return String.join(" <- ", parts);
    }

    /** The messages along the cause chain, without repeating a cause its wrapper already quotes. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 400; t = t.getCause()) {
            if (sb.length() > 0) sb.append(": ");
            sb.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
            if (t.getCause() != null && t.getMessage() != null && t.getMessage().contains(String.valueOf(t.getCause().getMessage()))) break;
        }
        return sb.toString();
    }

    private static String human(long nanos) {
        long s = Math.max(0, nanos / 1_000_000_000L);
        if (s < 120) return s + " s";
        if (s < 7200) return (s / 60) + " min";
        return (s / 3600) + " h";
    }
}
