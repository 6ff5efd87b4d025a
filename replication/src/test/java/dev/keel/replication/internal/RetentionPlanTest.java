package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ObjectInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retention decided from constructed catalogs: no storage, no clock. */
class RetentionPlanTest {
    static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");
    static final Duration DAY = Duration.ofHours(24);
    static final Generation OLD = new Generation("0000000000000001");
    static final Generation CURRENT = new Generation("0000000000000002");

    private final List<ObjectInfo> objects = new ArrayList<>();

    private String snapshot(Generation g, long index, Duration age) {
        String key = ReplicaLayout.snapshotKey(g, index);
        objects.add(new ObjectInfo(key, 100, NOW.minus(age)));
        return key;
    }

    private String wal(Generation g, long index, long offset, Duration age) {
        String key = ReplicaLayout.walSegmentKey(g, index, offset);
        objects.add(new ObjectInfo(key, 100, NOW.minus(age)));
        return key;
    }

    private ReplicaCatalog catalog() {
        return ReplicaCatalog.of("test", objects);
    }

    @Test
    void snapshotsOutsideThePeriodGoWithTheWalBelowTheOldestRetainedSnapshot() {
        String s1 = snapshot(CURRENT, 1, Duration.ofDays(3));
        String w1 = wal(CURRENT, 1, 0, Duration.ofDays(3));
        String w2 = wal(CURRENT, 2, 0, Duration.ofDays(2));
        snapshot(CURRENT, 3, Duration.ofHours(10));
        wal(CURRENT, 3, 0, Duration.ofHours(10));
        snapshot(CURRENT, 4, Duration.ofHours(1));
        wal(CURRENT, 4, 0, Duration.ofMinutes(5));

        assertThat(RetentionPlan.needsSnapshot(catalog(), NOW, DAY, CURRENT)).isFalse();
        assertThat(RetentionPlan.plan(catalog(), NOW, DAY, CURRENT, CURRENT, null).keys()).containsExactly(s1, w1, w2);
    }

    @Test
    void anOlderGenerationWithNoRetainedSnapshotGoesWhole() {
        String s = snapshot(OLD, 0, Duration.ofDays(5));
        String w0 = wal(OLD, 0, 0, Duration.ofDays(5));
        String w1 = wal(OLD, 0, 4152, Duration.ofDays(4));
        snapshot(CURRENT, 0, Duration.ofHours(2));
        wal(CURRENT, 0, 0, Duration.ofHours(2));

        assertThat(RetentionPlan.plan(catalog(), NOW, DAY, CURRENT, CURRENT, null).keys()).containsExactly(s, w0, w1);
    }

    @Test
    void anOlderGenerationTheReplicaIsStillFinishingIsKept() {
        snapshot(OLD, 0, Duration.ofDays(5));
        wal(OLD, 0, 0, Duration.ofDays(5));
        snapshot(CURRENT, 0, Duration.ofHours(2));

        assertThat(RetentionPlan.plan(catalog(), NOW, DAY, CURRENT, OLD, null).keys()).isEmpty();
    }

    @Test
    void theCurrentGenerationWithoutARetainedSnapshotNeedsOneAndThenKeepsOnlyFromIt() {
        String s1 = snapshot(CURRENT, 1, Duration.ofDays(2));
        String w1 = wal(CURRENT, 1, 0, Duration.ofDays(2));
        wal(CURRENT, 2, 0, Duration.ofHours(1));

        assertThat(RetentionPlan.needsSnapshot(catalog(), NOW, DAY, CURRENT)).isTrue();
        // Without the fresh snapshot nothing of the current generation may go: it must stay restorable.
        assertThat(RetentionPlan.plan(catalog(), NOW, DAY, CURRENT, CURRENT, null).keys()).isEmpty();
        // With it (taken at index 2 after the listing), what lies below index 2 goes.
        Position fresh = new Position(CURRENT, 2, 0);
        assertThat(RetentionPlan.plan(catalog(), NOW, DAY, CURRENT, CURRENT, fresh).keys()).containsExactly(s1, w1);
    }

    @Test
    void aSnapshotExactlyAtTheCutoffIsRetained() {
        snapshot(CURRENT, 5, DAY);
        wal(CURRENT, 5, 0, DAY);

        assertThat(RetentionPlan.needsSnapshot(catalog(), NOW, DAY, CURRENT)).isFalse();
        assertThat(RetentionPlan.plan(catalog(), NOW, DAY, CURRENT, CURRENT, null).keys()).isEmpty();
    }

    @Test
    void strayObjectsAreNeverDeleted() {
        objects.add(new ObjectInfo("generations/0000000000000002/snapshots/notes.txt", 1, NOW.minus(Duration.ofDays(9))));
        String s = snapshot(OLD, 0, Duration.ofDays(9));
        snapshot(CURRENT, 0, Duration.ofHours(1));

        assertThat(RetentionPlan.plan(catalog(), NOW, DAY, CURRENT, CURRENT, null).keys()).containsExactly(s);
    }
}
