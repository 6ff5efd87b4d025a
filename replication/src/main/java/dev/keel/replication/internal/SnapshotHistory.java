package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.restore.ReplicaCatalog;
import java.time.Duration;
import java.time.Instant;

/**
 * What one replica knows of its own snapshots: when and where it last stored one (from its listing or
 * its own upload), and so whether a periodic snapshot is due. Callers hold the replica's lock.
 */
final class SnapshotHistory {
    /** Null or zero: no periodic snapshots. */
    private final Duration interval;
    private Instant lastTime;
    private Position lastAt;

    SnapshotHistory(Duration interval) {
        this.interval = interval;
    }

    /**
     * True with a snapshot interval: the replica's newest snapshot time matters, and only its listing has
     * it, so such a replica is listed once after a restart even when idle.
     */
    boolean periodic() {
        return interval != null && !interval.isZero();
    }

    /** True when a periodic snapshot is due: the interval passed since the last one this replica knows of. */
    boolean due() {
        return periodic() && lastTime != null && Duration.between(lastTime, Instant.now()).compareTo(interval) >= 0;
    }

    /** What the replica's listing says of {@code generation}: its newest snapshot, if any. */
    void listed(Generation generation, ReplicaCatalog catalog) {
        lastTime = catalog.lastSnapshotTime(generation).orElse(null);
        lastAt = catalog.lastSnapshot(generation).map(s -> new Position(generation, s.index(), 0)).orElse(null);
    }

    /** A snapshot was stored at {@code at} now. */
    void stored(Position at) {
        lastTime = Instant.now();
        lastAt = at;
    }

    /** A periodic snapshot was skipped (it would replace the last one): the next comes an interval later. */
    void skipped() {
        lastTime = Instant.now();
    }

    /** True when {@code at} is where the last snapshot this replica knows of starts. */
    boolean lastAt(Position at) {
        return at.equals(lastAt);
    }

    /** True when this replica stored no snapshot of {@code generation} (so nothing of it: every segment comes after one). */
    boolean noneOf(Generation generation) {
        return lastAt == null || !lastAt.generation().equals(generation);
    }
}
