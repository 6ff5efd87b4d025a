package dev.keel.server;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the server knows of one database, built from the engine's events. Every method locks this
 * object: events of one database arrive from a few threads, and readers take a {@link DatabaseView}.
 */
final class DatabaseState {
    final String name;
    private boolean open;
    private boolean parked;
    private final long followedNanos;
    private Position head;
    private String generationReason;
    private Instant generationAt;
    private long dbBytes;
    private long walBytes;
    private long totalWalBytes;
    private long syncs;
    private long syncErrors;
    private double syncSeconds;
    private final Map<String, double[]> checkpoints = new TreeMap<>(); // mode -> count, errors, seconds
    private final Map<String, Long> generations = new TreeMap<>(); // cause -> changes
    private String lastError;
    private String hint;
    private Instant lastErrorAt;
    private boolean failing;
    private final Map<String, ReplicaState> replicas = new LinkedHashMap<>();
    private final LagHistory history = new LagHistory();

    DatabaseState(String name, long nowNanos) {
        this.name = name;
        this.followedNanos = nowNanos;
    }

    synchronized void followed(Position position, List<ReplicaInfo> infos) {
        open = true;
        failing = false;
        if (position != null) head = position;
        for (ReplicaInfo r : infos) {
            ReplicaState s = replica(r.name());
            s.type = r.type();
            s.location = r.location();
            if (r.acknowledged() != null) s.position = r.acknowledged();
        }
    }

    /** One replica as the engine announced it (location already redacted). */
    record ReplicaInfo(String name, String type, String location, Position acknowledged) {
    }

    synchronized void waiting(String error, String hint) {
        open = false;
        failing = true;
        failed(error, hint);
    }

    synchronized void parked(boolean parked) {
        this.parked = parked;
    }

    synchronized void generationStarted(Generation generation, String reason, long nanos) {
        history.generation(generation, nanos);
        generationReason = reason;
        generationAt = Instant.now();
        generations.merge(GenerationCause.of(reason), 1L, Long::sum);
    }

    synchronized void walCopied(Position end, long bytes, long nanos) {
        head = end;
        totalWalBytes += bytes;
        history.copied(end, nanos, followedNanos);
    }

    synchronized void synced(long dbBytes, long walBytes, Duration took) {
        this.dbBytes = dbBytes;
        this.walBytes = walBytes;
        syncs++;
        syncSeconds += took.toNanos() / 1e9;
        if (failing && lastErrorAt != null) failing = false; // the monitor works again
    }

    synchronized void checkpoint(String mode, Duration took, boolean failed) {
        double[] c = checkpoints.computeIfAbsent(mode, m -> new double[3]);
        c[0]++;
        if (failed) c[1]++;
        c[2] += took.toNanos() / 1e9;
    }

    synchronized void uploaded(String replica, Position end, long compressedBytes, boolean snapshot) {
        ReplicaState r = replica(replica);
        // a snapshot moves the replica only into a new generation; within one, its WAL segments do
        if (!snapshot || r.position == null || !r.position.generation().equals(end.generation())) r.position = end;
        r.lastUpload = Instant.now();
        if (!snapshot) r.walBytes += compressedBytes;
        r.failing = false;
        history.acknowledged(slowest());
    }

    synchronized void validated(String replica, boolean equal) {
        ReplicaState r = replica(replica);
        if (equal) r.validationsOk++;
        else r.validationsError++;
    }

    synchronized void failed(String replica, String error, String hint) {
        if (replica == null) {
            syncErrors++;
            failing = true;
            failed(error, hint);
            return;
        }
        ReplicaState r = replica(replica);
        r.failing = true;
        r.failures++;
        r.lastError = error;
        r.hint = hint;
        r.lastErrorAt = Instant.now();
    }

    private void failed(String error, String hint) {
        lastError = error;
        this.hint = hint;
        lastErrorAt = Instant.now();
    }

    synchronized void recovered(String replica) {
        if (replica == null) failing = false;
        else replica(replica).failing = false;
    }

    private ReplicaState replica(String name) {
        return replicas.computeIfAbsent(name, ReplicaState::new);
    }

    /** The least position any replica acknowledged in the head's generation; null when one holds none of it. */
    private Position slowest() {
        Position least = null;
        for (ReplicaState r : replicas.values()) {
            if (r.position == null || head == null || !r.position.generation().equals(head.generation())) return null;
            if (least == null || r.position.compareTo(least) < 0) least = r.position;
        }
        return least;
    }

    /** A consistent copy for a page or a scrape, with lags measured at {@code nowNanos}. */
    synchronized DatabaseView view(long nowNanos, Duration readyWithin) {
        List<DatabaseView.Replica> rs = new ArrayList<>();
        for (ReplicaState r : replicas.values()) {
            long lagNanos = history.lagNanos(r.position, head, followedNanos, nowNanos);
            rs.add(new DatabaseView.Replica(r.name, r.type, r.location, r.position,
                    lagNanos / 1e9, history.lagBytes(r.position, head), r.lastUpload, r.failing ? r.lastError : null,
                    r.failing ? r.hint : null, r.lastError, r.lastErrorAt, r.failing, r.failures, r.walBytes,
                    r.validationsOk, r.validationsError));
        }
        DatabaseView.State state = DatabaseView.stateOf(open, parked, failing, rs, readyWithin);
        return new DatabaseView(name, state, head, generationReason, generationAt, dbBytes, walBytes, totalWalBytes,
                syncs, syncErrors, syncSeconds, copyOf(checkpoints), Map.copyOf(generations),
                failing ? lastError : null, failing ? hint : null, List.copyOf(rs));
    }

    private static Map<String, double[]> copyOf(Map<String, double[]> m) {
        Map<String, double[]> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }
}
