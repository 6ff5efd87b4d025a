package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link UploadGate} over sequences of commit times: a small event loop plays the replica (commits
 * arrive, the gate decides, an upload takes a fixed time, a commit made during an upload waits for
 * its end) and records when each upload started and how long each commit waited for its upload.
 */
class UploadGateTest {
    private static final long MS = 1_000_000;
    private static final Duration SECOND = Duration.ofSeconds(1);

    /** What a replay did: upload start and end times, and each commit's wait until the upload that took it. */
    record Replay(long[] starts, long[] ends, long[] waits) {
        int uploads() {
            return starts.length;
        }

        /** The most uploads that started within any window of {@code window} nanoseconds. */
        int mostUploadsWithin(long window) {
            int most = 0;
            for (int i = 0, j = 0; i < starts.length; i++) {
                while (starts[i] - starts[j] >= window) j++;
                most = Math.max(most, i - j + 1);
            }
            return most;
        }

        long waitPercentile(double p) {
            long[] sorted = waits.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
        }
    }

    /** Plays commits made at {@code commits} (nanoseconds, ascending) through {@code gate}, each upload taking {@code uploadNanos}. */
    static Replay replay(UploadGate gate, long[] commits, long uploadNanos) {
        long never = Long.MAX_VALUE;
        long[] waits = new long[commits.length];
        List<Long> starts = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        List<Integer> waiting = new ArrayList<>();
        long endAt = never;
        long askAt = never;
        int next = 0;
        while (true) {
            long commitAt = next < commits.length ? commits[next] : never;
            long t = Math.min(commitAt, Math.min(endAt, askAt));
            if (t == never) break;
            if (t == endAt) { // an upload ends first: commits made at the same moment were not in it
                endAt = never;
                ends.add(t);
                gate.finished(t, !waiting.isEmpty());
            } else if (t == commitAt) {
                waiting.add(next++);
            } else {
                askAt = never;
            }
            if (waiting.isEmpty() || endAt != never) {
                if (!waiting.isEmpty()) gate.decide(t); // told to wait for the upload in flight
                continue;
            }
            UploadGate.Decision d = gate.decide(t);
            if (d.uploadNow()) {
                starts.add(t);
                for (int i : waiting) waits[i] = t - commits[i];
                waiting.clear();
                endAt = t + uploadNanos;
                askAt = never;
            } else {
                assertThat(d.kind()).as("no upload is in flight at %d", t).isEqualTo(UploadGate.Decision.Kind.WAIT);
                askAt = Math.min(askAt, t + d.waitNanos());
            }
        }
        assertThat(waiting).as("every commit uploaded").isEmpty();
        return new Replay(starts.stream().mapToLong(Long::longValue).toArray(), ends.stream().mapToLong(Long::longValue).toArray(), waits);
    }

    /** Commit times from {@code start}: spacings drawn uniformly from [minMs, maxMs] for {@code duration}. */
    static long[] commits(long seed, long minNanos, long maxNanos, Duration duration) {
        Random r = new Random(seed);
        long[] times = new long[16];
        int n = 0;
        for (long t = 0; t < duration.toNanos(); t += minNanos + (long) (r.nextDouble() * (maxNanos - minNanos))) {
            if (n == times.length) times = Arrays.copyOf(times, n * 2);
            times[n++] = t;
        }
        return Arrays.copyOf(times, n);
    }

    @Test
    void theShortGapIsAFifthOfTheIntervalWithinItsBounds() {
        assertThat(UploadGate.minGap(SECOND)).isEqualTo(Duration.ofMillis(200));
        assertThat(UploadGate.minGap(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(50));
        assertThat(UploadGate.minGap(Duration.ofMillis(20))).isEqualTo(Duration.ofMillis(20));
        assertThat(UploadGate.minGap(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aLoneCommitIsUploadedAtOnce() {
        Replay r = replay(new UploadGate(SECOND), new long[] {0, 5000 * MS, 5300 * MS}, 20 * MS);
        assertThat(r.waits()).containsExactly(0, 0, 0);
    }

    @Test
    void oneCommitPerSecondCostsOneUploadPerCommitAsWithATick() {
        long[] commits = commits(1, 1000 * MS, 1000 * MS, Duration.ofHours(1));
        Replay r = replay(new UploadGate(SECOND), commits, 20 * MS);
        assertThat(r.uploads()).isEqualTo(commits.length).isEqualTo(3600);
        assertThat(r.waitPercentile(100)).isZero();
    }

    @Test
    void commitsAtRandomSpacingOf50To900MsMostlyGoAtOnce() {
        long[] commits = commits(7, 50 * MS, 900 * MS, Duration.ofMinutes(10));
        UploadGate gate = new UploadGate(SECOND);
        Replay r = replay(gate, commits, 20 * MS);
        // Only a commit that follows an upload by less than the short gap (200 ms) waits, and only for the rest of it.
        assertThat(r.waitPercentile(80)).isZero();
        assertThat(r.waitPercentile(100)).isLessThanOrEqualTo(200 * MS);
        assertThat(gate.sustained()).isFalse();
    }

    @Test
    void aSteadyFastWriterFallsBackToOneUploadPerInterval() {
        long[] commits = commits(3, 10 * MS, 10 * MS, Duration.ofMinutes(2));
        UploadGate gate = new UploadGate(SECOND);
        Replay r = replay(gate, commits, 5 * MS);
        assertThat(gate.sustained()).isTrue();
        // A short burst of uploads at the short gap first, then one per interval.
        assertThat(r.uploads()).isLessThanOrEqualTo(120 + UploadGate.SUSTAINED_AFTER + 1);
        assertThat(r.starts()[r.uploads() - 1] - r.starts()[r.uploads() - 2]).isEqualTo(SECOND.toNanos());
        assertThat(r.waitPercentile(100)).isLessThanOrEqualTo(SECOND.toNanos());
    }

    @Test
    void aPauseOfOneShortGapEndsSustainedLoad() {
        long[] burst = commits(3, 10 * MS, 10 * MS, Duration.ofSeconds(20));
        long last = burst[burst.length - 1];
        long[] commits = Arrays.copyOf(burst, burst.length + 1);
        commits[burst.length] = last + 1300 * MS; // after the last upload (at most 1 s later) ended, 300 ms of nothing
        UploadGate gate = new UploadGate(SECOND);
        Replay r = replay(gate, commits, 5 * MS);
        assertThat(r.waits()[burst.length]).isZero();
        assertThat(gate.sustained()).isFalse();
    }

    @Test
    void aCommitDuringAnUploadWaitsForItsEndAndTheShortGap() {
        UploadGate gate = new UploadGate(SECOND);
        assertThat(gate.decide(0).uploadNow()).isTrue();
        assertThat(gate.preview(10 * MS).kind()).isEqualTo(UploadGate.Decision.Kind.AFTER_CURRENT);
        assertThat(gate.decide(10 * MS).kind()).isEqualTo(UploadGate.Decision.Kind.AFTER_CURRENT);
        gate.finished(50 * MS, true);
        assertThat(gate.decide(50 * MS)).isEqualTo(UploadGate.Decision.waitFor(150 * MS));
        assertThat(gate.decide(200 * MS).uploadNow()).isTrue();
    }

    @Test
    void previewChangesNothingAndSeenStartsNothing() {
        UploadGate gate = new UploadGate(SECOND);
        gate.decide(0);
        gate.finished(5 * MS, false);
        assertThat(gate.preview(100 * MS)).isEqualTo(UploadGate.Decision.waitFor(100 * MS));
        assertThat(gate.preview(100 * MS)).isEqualTo(UploadGate.Decision.waitFor(100 * MS));
        assertThat(gate.seen(250 * MS).uploadNow()).isTrue();
        assertThat(gate.seen(260 * MS).uploadNow()).isTrue();
        assertThat(gate.decide(270 * MS).uploadNow()).isTrue();
        assertThat(gate.preview(280 * MS).kind()).isEqualTo(UploadGate.Decision.Kind.AFTER_CURRENT);
    }

    @Test
    void aPauseIsJudgedFromWhenTheCommitWasNoticedNotFromWhenItsCopyArrived() {
        UploadGate gate = new UploadGate(SECOND);
        long lastEnd = lastEnd(sustainedLoad(gate));
        gate.seen(lastEnd + 50 * MS); // noticed right after the last upload: no pause
        UploadGate.Decision d = gate.decide(lastEnd + 400 * MS); // its copy comes late
        assertThat(d.kind()).isEqualTo(UploadGate.Decision.Kind.WAIT);
        assertThat(d.waitNanos()).isEqualTo(lastEnd - 5 * MS + SECOND.toNanos() - (lastEnd + 400 * MS));
        assertThat(gate.sustained()).isTrue();
    }

    @Test
    void aCommitNoticedButFoundUploadedAlreadyIsForgotten() {
        UploadGate gate = new UploadGate(SECOND);
        long lastEnd = lastEnd(sustainedLoad(gate));
        gate.seen(lastEnd + 50 * MS); // a write the last upload took after all
        gate.caughtUp();
        assertThat(gate.decide(lastEnd + 400 * MS).uploadNow()).as("after a pause of 400 ms: a new burst").isTrue();
        assertThat(gate.sustained()).isFalse();
    }

    /** A writer every 10 ms for 20 s, each upload taking 5 ms: the gate ends sustained. */
    private static Replay sustainedLoad(UploadGate gate) {
        Replay r = replay(gate, commits(3, 10 * MS, 10 * MS, Duration.ofSeconds(20)), 5 * MS);
        assertThat(gate.sustained()).isTrue();
        return r;
    }

    private static long lastEnd(Replay r) {
        return r.ends()[r.ends().length - 1];
    }

    @Test
    void anyCommitSequenceKeepsTheGapsAndShipsEveryCommitWithinTheInterval() {
        qt().withExamples(200).forAll(longs().all(), integers().between(1, 3000), integers().between(0, 500),
                integers().between(100, 5000)).checkAssert((seed, maxSpacingMs, uploadMs, intervalMs) -> {
            Duration interval = Duration.ofMillis(intervalMs);
            long gap = UploadGate.minGap(interval).toNanos();
            long[] commits = commits(seed, 0, maxSpacingMs * MS, Duration.ofMinutes(2));
            Replay r = replay(new UploadGate(interval), commits, uploadMs * MS);
            for (int i = 1; i < r.uploads(); i++) {
                assertThat(r.starts()[i] - r.starts()[i - 1]).as("upload %d", i).isGreaterThanOrEqualTo(gap);
                assertThat(r.starts()[i]).as("upload %d starts after the previous one ended", i).isGreaterThanOrEqualTo(r.ends()[i - 1]);
            }
            assertThat(r.waitPercentile(100)).isLessThanOrEqualTo(interval.toNanos() + uploadMs * MS);
            assertThat(r.uploads()).isLessThanOrEqualTo(commits.length);
        });
    }

    @Test
    void aSteadyWriterNeverUploadsMoreThanOncePerIntervalPlusTheBurstInAnyMinute() {
        qt().withExamples(60).forAll(longs().all(), integers().between(100, 5000), integers().between(0, 1000),
                integers().between(60, 180)).checkAssert((seed, intervalMs, uploadPermille, seconds) -> {
            Duration interval = Duration.ofMillis(intervalMs);
            long gap = UploadGate.minGap(interval).toNanos();
            // Every commit follows the previous one within the short gap: no pause ever ends the load.
            long[] commits = commits(seed, MS, gap - 1, Duration.ofSeconds(seconds));
            long upload = gap * uploadPermille / 1000;
            Replay r = replay(new UploadGate(interval), commits, upload);
            long minute = Duration.ofMinutes(1).toNanos();
            assertThat(r.mostUploadsWithin(minute)).isLessThanOrEqualTo((int) (minute / interval.toNanos()) + UploadGate.SUSTAINED_AFTER + 1);
        });
    }
}
