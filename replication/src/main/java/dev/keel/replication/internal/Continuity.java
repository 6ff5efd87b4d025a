package dev.keel.replication.internal;

import java.util.Arrays;

/**
 * What the continuity check found when it compared the real WAL with the shadow WAL: the WAL goes on
 * where the shadow stands, it restarted after Keel's own checkpoint (the shadow continues in the next
 * index), or continuity is lost and a new generation starts, with the reason. The monitor acts on it
 * in one place.
 */
sealed interface Continuity {
    /** The real WAL continues the shadow WAL: copy what was committed since. */
    record Continues() implements Continuity {
    }

    /** The WAL restarted exactly as Keel's checkpoint made it: the shadow continues at the next index. */
    record NextIndex(byte[] header) implements Continuity {
    }

    /** Continuity is lost: a restore could not go from the shadow to the database without a gap. */
    record NewGeneration(String reason) implements Continuity {
    }

    /**
     * What one round saw: the real WAL's header and size, the shadow index file's length, whether the
     * last frame copied is still in the WAL, a new generation asked for, and the restart the last
     * checkpoint of Keel's made (or why a restart seen now cannot be proven continuous).
     */
    record Observed(byte[] header, long walSize, long shadowLength, boolean lastFrameThere, String requested,
                    byte[] expectedRestart, String unprovenRestart) {
    }

    /** Decides; {@code state} is null when there is no shadow WAL to continue. */
    static Continuity judge(ShadowState state, String shadowFile, String shadowDir, Observed seen) {
        if (state == null) {
            return new NewGeneration("no shadow WAL to continue (first run, or the local state in " + shadowDir + " is gone)");
        }
        if (seen.requested() != null) return new NewGeneration(seen.requested());
        if (seen.shadowLength() < state.end()) {
            // Deleted or cut while Keel ran (a cleanup of dot directories, a full-disk rescue): appending
            // would fail every round, and what it lost may not have reached every replica.
            return new NewGeneration("the shadow WAL " + shadowFile + " was deleted or truncated");
        }
        if (!Arrays.equals(seen.header(), state.headerBytes())) {
            if (Arrays.equals(seen.header(), seen.expectedRestart())) return new NextIndex(seen.header());
            return new NewGeneration(seen.unprovenRestart() != null ? seen.unprovenRestart()
                    : "the WAL was restarted by a checkpoint Keel did not run (another process, or while Keel was stopped)");
        }
        if (seen.walSize() < state.end()) return new NewGeneration("the WAL was truncated by another process");
        if (!seen.lastFrameThere()) return new NewGeneration("the WAL was overwritten by another process");
        return new Continues();
    }
}
