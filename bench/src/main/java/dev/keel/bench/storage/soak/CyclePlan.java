package dev.keel.bench.storage.soak;

import java.util.Random;

/**
 * The random timings of one soak cycle, around the reported scenario (its values in brackets):
 * writes start {@code startDelayMs} after Keel logged that it replicates, or, {@code fromLaunch}, after
 * the {@code keel replicate} process was launched, as a script does [3000 from launch] (then the server
 * may be down while Keel is still starting); 10 transactions 50 ms apart, the
 * server killed after {@code killAfterTx} of them plus {@code killJitterMs} (so anywhere in an upload,
 * also before the first snapshot was written) [10, 0]; 10 transactions {@code outageGapMs} apart while
 * it is down [100]; down {@code extraDownMs} more [2000]; {@code afterReturnMs} later 10 transactions
 * [3000]; {@code beforeStopMs} later Keel is stopped [6000]. The ending varies as {@link Ending} says.
 */
public record CyclePlan(long seed, boolean fromLaunch, long startDelayMs, int killAfterTx, long killJitterMs, long outageGapMs,
                        long extraDownMs, long afterReturnMs, long beforeStopMs, Ending ending, long endingAtMs) {
    /** How Keel is stopped. */
    public enum Ending {
        /** SIGTERM once everything was written, as reported: the final sync must succeed (exit 0). */
        SIGTERM,
        /**
         * SIGTERM while the server is down, {@code endingAtMs} into the extra down time: exit 69 naming what
         * was not uploaded; the server comes back, Keel is started again and stopped with SIGTERM (exit 0).
         */
        SIGTERM_DURING_OUTAGE,
        /** SIGKILL {@code endingAtMs} after the server's return (likely mid catch-up), then Keel is started again. */
        SIGKILL_AND_RESTART
    }

    /** The plan for {@code seed}. */
    public static CyclePlan random(long seed) {
        Random r = new Random(seed);
        Ending ending = Ending.values()[r.nextInt(Ending.values().length)];
        long extraDown = 200 + r.nextInt(4800);
        long afterReturn = r.nextInt(3001);
        boolean fromLaunch = r.nextInt(3) == 0;
        return new CyclePlan(seed, fromLaunch, fromLaunch ? r.nextInt(4001) : r.nextInt(3001), r.nextInt(11), r.nextInt(51), 20 + r.nextInt(131), extraDown,
                afterReturn, r.nextInt(6001), ending,
                ending == Ending.SIGTERM_DURING_OUTAGE ? r.nextInt((int) extraDown) : r.nextInt((int) afterReturn + 1));
    }

    @Override
    public String toString() {
        return "seed " + seed + ": writes " + startDelayMs + " ms after " + (fromLaunch ? "launch" : "Keel is ready") + ", server killed after " + killAfterTx
                + " tx +" + killJitterMs + " ms, tx every " + outageGapMs + " ms while down, down " + extraDownMs
                + " ms more, writes " + afterReturnMs + " ms after return, stop " + beforeStopMs + " ms later, ending "
                + ending + " at " + endingAtMs + " ms";
    }
}
