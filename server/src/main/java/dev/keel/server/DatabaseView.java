package dev.keel.server;

import dev.keel.replication.api.Position;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One database as a scrape or the status page sees it at one moment: an immutable copy.
 *
 * @param checkpoints per mode: count, errors, seconds
 * @param generations generation changes per cause (see {@link GenerationCause})
 */
record DatabaseView(String name, State state, Position position, String generationReason, Instant generationAt,
                    long dbBytes, long walBytes, long totalWalBytes, long syncs, long syncErrors, double syncSeconds,
                    Map<String, double[]> checkpoints, Map<String, Long> generations, String error, String hint,
                    List<Replica> replicas, double maxLagSeconds, long maxLagBytes) {

    DatabaseView(String name, State state, Position position, String generationReason, Instant generationAt, long dbBytes,
                 long walBytes, long totalWalBytes, long syncs, long syncErrors, double syncSeconds,
                 Map<String, double[]> checkpoints, Map<String, Long> generations, String error, String hint,
                 List<Replica> replicas) {
        this(name, state, position, generationReason, generationAt, dbBytes, walBytes, totalWalBytes, syncs, syncErrors,
                syncSeconds, checkpoints, generations, error, hint, replicas, maxLag(replicas), maxBytes(replicas));
    }

    /** What is wrong with a database, worst first: the order of the status page's first screen. */
    enum State {
        FAILING, WAITING, LAGGING, PARKED, OK;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One replica of the database at that moment; {@code error} and {@code hint} only while it fails. */
    record Replica(String name, String type, String location, Position position, double lagSeconds, long lagBytes,
                   Instant lastUpload, String error, String hint, String lastError, Instant lastErrorAt, boolean failing,
                   long failures, long walBytes, long validationsOk, long validationsError) {
    }

    static State stateOf(boolean open, boolean parked, boolean failing, List<Replica> replicas, Duration readyWithin) {
        if (!open) return State.WAITING;
        boolean lagging = false;
        for (Replica r : replicas) {
            if (r.failing()) return State.FAILING;
            if (r.position() == null || r.lagSeconds() > readyWithin.toNanos() / 1e9) lagging = true;
        }
        if (failing) return State.FAILING;
        if (lagging) return State.LAGGING;
        return parked ? State.PARKED : State.OK;
    }

    /** The lag of the replica furthest behind in time (0 when all hold everything); computed once, sorts use it. */
    private static double maxLag(List<Replica> replicas) {
        double max = 0;
        for (Replica r : replicas) max = Math.max(max, r.lagSeconds());
        return max;
    }

    private static long maxBytes(List<Replica> replicas) {
        long max = 0;
        for (Replica r : replicas) max = Math.max(max, r.lagBytes());
        return max;
    }

    /** True when every replica holds every commit older than {@code bound}. */
    boolean replicatedWithin(Duration bound) {
        if (state == State.WAITING) return false;
        for (Replica r : replicas) {
            if (r.position() == null || r.lagSeconds() > bound.toNanos() / 1e9) return false;
        }
        return true;
    }
}
