package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.format.WalHeader;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Generation;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When Keel checkpoints, and how soon a busy database gets its next round: a WAL growing fast is
 * checkpointed before it reaches {@code min-checkpoint-page-count} (where an application at SQLite's
 * default {@code wal_autocheckpoint} would start trying on every commit), a slow one only at it.
 */
class CheckpointPolicyTest {
    private static final int PAGE = 4096;
    private static final int MIN = 1000;
    private static final int MAX = 10_000;

    private final Checkpointer checkpointer = new Checkpointer(new DatabaseConfig(Path.of("app.db"), null,
            Duration.ofSeconds(1), Duration.ofHours(1), MIN, MAX, List.of(), DatabaseConfig.UNBOUNDED_SHADOW_BACKLOG),
            null, ReplicationListener.NONE);

    @Test
    void aSlowWalIsCheckpointedAtTheThreshold() {
        assertThat(checkpointer.due(withFrames(999), 0)).as("the idle check asks without a pace").isNull();
        assertThat(checkpointer.due(withFrames(990), 4)).as("a few frames a round").isNull();
        assertThat(checkpointer.due(withFrames(1000), 0)).isEqualTo("PASSIVE");
    }

    @Test
    void aFastWalIsCheckpointedBeforeTheApplicationsThreshold() {
        assertThat(checkpointer.due(withFrames(600), 200)).as("two more rounds at this pace reach the threshold").isEqualTo("PASSIVE");
        assertThat(checkpointer.due(withFrames(500), 200)).as("two more rounds at this pace stay below it").isNull();
        assertThat(checkpointer.due(withFrames(1), 900)).as("the application writes a threshold's worth per round").isEqualTo("PASSIVE");
        assertThat(checkpointer.due(withFrames(MAX), 900)).as("past the maximum it is a RESTART, busy or not").isEqualTo("RESTART");
    }

    @Test
    void theIntervalCheckpointWaitsForAWriteAfterTheWalKeelFound() throws InterruptedException {
        Checkpointer every = new Checkpointer(new DatabaseConfig(Path.of("app.db"), null, Duration.ofSeconds(1),
                Duration.ofMillis(1), MIN, MAX, List.of(), DatabaseConfig.UNBOUNDED_SHADOW_BACKLOG), null, ReplicationListener.NONE);
        Thread.sleep(5);
        assertThat(every.due(withFrames(1, 20), 0)).as("the WAL as Keel found it: nothing written since").isNull();
        assertThat(every.due(withFrames(1, 20), 0)).isNull();
        assertThat(every.due(withFrames(1, 21), 0)).as("a write since").isEqualTo("PASSIVE");
        assertThat(every.due(withFrames(2, 1), 0)).as("a later index holding Keel's own write only").isNull();
        assertThat(every.due(withFrames(2, 3), 0)).as("a later index, written").isEqualTo("PASSIVE");
    }

    @Test
    void busyRoundsComeSoonerTheFasterTheWalGrows() {
        long half = (long) MIN * PAGE / 2;
        assertThat(DatabaseDriver.busyTickMs(half, half)).isEqualTo(DatabaseDriver.BUSY_TICK_MS);
        assertThat(DatabaseDriver.busyTickMs(2 * half, half)).isEqualTo(DatabaseDriver.BUSY_TICK_MS / 2);
        assertThat(DatabaseDriver.busyTickMs(100 * half, half)).isEqualTo(DatabaseDriver.MIN_BUSY_TICK_MS);
    }

    @Test
    void theNextRoundComesBeforeTheWalReachesTheThresholdAtItsMeasuredPace() {
        long threshold = (long) MIN * PAGE;
        long ms = 1_000_000L;
        assertThat(DatabaseDriver.nextRoundMs(0, 25 * ms, 0, threshold)).as("nothing written: the watch is enough").isEqualTo(-1);
        assertThat(DatabaseDriver.nextRoundMs(threshold / 2, 0, 0, threshold)).as("no pace yet (the first round)").isEqualTo(-1);
        assertThat(DatabaseDriver.nextRoundMs(threshold / 2, 25 * ms, 0, threshold))
                .as("half the threshold in 25 ms: busy, as before").isEqualTo(DatabaseDriver.BUSY_TICK_MS);
        assertThat(DatabaseDriver.nextRoundMs(threshold / 10, 5 * ms, 0, threshold))
                .as("a round 5 ms after the last copies a tenth of the threshold: the same pace, still busy").isEqualTo(DatabaseDriver.BUSY_TICK_MS);
        assertThat(DatabaseDriver.nextRoundMs(threshold / 10, 100 * ms, threshold / 2, threshold))
                .as("a tenth per 100 ms with half left: a tick before a quarter more is written").isEqualTo(250);
        assertThat(DatabaseDriver.nextRoundMs(threshold / 10, 100 * ms, threshold, threshold))
                .as("at the threshold already: at once").isEqualTo(DatabaseDriver.MIN_BUSY_TICK_MS);
        assertThat(DatabaseDriver.nextRoundMs(PAGE, 1000 * ms, 0, threshold))
                .as("a page a second: the threshold is far, the watch is enough").isEqualTo(-1);
    }

    private static ShadowState withFrames(long frames) {
        return withFrames(1, frames);
    }

    private static ShadowState withFrames(long index, long frames) {
        WalHeader header = WalHeader.create(false, PAGE, 0, 1, 2);
        ShadowState start = ShadowState.start(new Generation("0123456789abcdef"), index, header.encode());
        return start.advancedTo(WalHeader.SIZE + frames * header.frameSize(), start.checksum(), null);
    }
}
