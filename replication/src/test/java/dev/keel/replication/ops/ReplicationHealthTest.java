package dev.keel.replication.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What counts as replicated within an interval, on a clock the test moves. */
class ReplicationHealthTest {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Path DB = Path.of("/data/app.db");
    private final AtomicLong now = new AtomicLong();
    private final ReplicationHealth health = new ReplicationHealth(now::get);
    private final Generation g = Generation.parse("00112233aabbccdd");

    private Position at(long offset) {
        return new Position(g, 1, offset);
    }

    private void seconds(long s) {
        now.addAndGet(Duration.ofSeconds(s).toNanos());
    }

    @Test
    void anIdleCaughtUpDatabaseAndOneNeverHeardOfAreReplicated() {
        assertThat(health.check(MINUTE)).isInstanceOf(ReplicationHealth.Verdict.Replicated.class);
        health.walCopied(DB, at(100), 100);
        health.segmentWritten(DB, "s3", at(0), at(100), 50);
        seconds(3600);
        assertThat(health.check(MINUTE)).isInstanceOf(ReplicationHealth.Verdict.Replicated.class);
    }

    @Test
    void aReplicaThatStaysAFewSecondsBehindABusyDatabaseIsReplicated() {
        health.segmentWritten(DB, "s3", at(0), at(0), 0);
        for (int i = 1; i <= 600; i++) { // ten minutes of commits every second, acknowledged 5 s later
            health.walCopied(DB, at(i), 10);
            if (i > 5) health.segmentWritten(DB, "s3", at(i - 6), at(i - 5), 10);
            seconds(1);
        }
        assertThat(health.check(MINUTE)).isInstanceOf(ReplicationHealth.Verdict.Replicated.class);
    }

    @Test
    void aCommitUnacknowledgedForLongerThanTheIntervalNamesTheReplica() {
        health.segmentWritten(DB, "s3", at(0), at(100), 10);
        health.segmentWritten(DB, "sftp", at(0), at(100), 10);
        health.walCopied(DB, at(200), 100);
        health.segmentWritten(DB, "s3", at(100), at(200), 10);
        seconds(59);
        assertThat(health.check(MINUTE)).isInstanceOf(ReplicationHealth.Verdict.Replicated.class);
        seconds(2);
        ReplicationHealth.Verdict v = health.check(MINUTE);
        assertThat(v).isEqualTo(new ReplicationHealth.Verdict.Lagging(DB, "sftp", at(100), Duration.ofSeconds(61)));
        health.segmentWritten(DB, "sftp", at(100), at(200), 10);
        assertThat(health.check(MINUTE)).isInstanceOf(ReplicationHealth.Verdict.Replicated.class);
    }

    @Test
    void aReplicaKnownOnlyByItsFailuresLagsAndSoDoesADatabaseNoReplicaAcknowledged() {
        health.walCopied(DB, at(100), 100);
        seconds(61);
        assertThat(health.check(MINUTE)).isEqualTo(new ReplicationHealth.Verdict.Lagging(DB, null, at(100), Duration.ofSeconds(61)));
        health.syncFailed(DB, "s3", new java.io.IOException("down"));
        assertThat(health.check(MINUTE)).isEqualTo(new ReplicationHealth.Verdict.Lagging(DB, "s3", null, Duration.ofSeconds(61)));
    }

    @Test
    void aNewGenerationKeepsTheOldestWaitingTimeUntilItsSnapshotIsStored() {
        health.segmentWritten(DB, "s3", at(0), at(0), 0);
        health.walCopied(DB, at(100), 100);
        seconds(30);
        Generation next = Generation.parse("ffeeddccbbaa0011");
        health.generationStarted(DB, next, "test");
        seconds(31);
        assertThat(health.check(MINUTE)).isInstanceOf(ReplicationHealth.Verdict.Lagging.class);
        health.snapshotWritten(DB, "s3", new Position(next, 1, 0), 10, Duration.ZERO);
        assertThat(health.check(MINUTE)).isInstanceOf(ReplicationHealth.Verdict.Replicated.class);
    }

    @Test
    void memoryIsBoundedAndTheBoundNeverUnderstatesTheLag() {
        health.segmentWritten(DB, "s3", at(0), at(0), 0);
        for (int i = 1; i <= 5 * ReplicationHealth.MAX_PENDING; i++) {
            health.walCopied(DB, at(i), 1);
            seconds(1);
        }
        // acknowledged far past the point where the bound kicked in: the remaining commits keep an old time
        health.segmentWritten(DB, "s3", at(0), at(4 * ReplicationHealth.MAX_PENDING), 1);
        ReplicationHealth.Verdict v = health.check(Duration.ofSeconds(ReplicationHealth.MAX_PENDING));
        assertThat(v).isInstanceOf(ReplicationHealth.Verdict.Lagging.class);
    }
}
