package dev.keel.replication.internal;

import dev.keel.replication.spi.LeaseRecord;

/** What taking or renewing a replica's lease came to: a value the {@link LeaseKeeper} acts on. */
sealed interface LeaseOutcome {
    /**
     * We hold the lease as {@code record}, stored with {@code version}. {@code replaced} is the record of
     * another holder this one replaced (expired, released, or taken over), null when there was none.
     */
    record Held(LeaseRecord record, String version, LeaseRecord replaced) implements LeaseOutcome {
        /** True when another holder had not released it: what it wrote may continue a lineage we must not. */
        boolean tookOver() {
            return replaced != null && !replaced.released();
        }
    }

    /** Another holder has the lease: {@code current} says who and until when. */
    record Refused(LeaseRecord current) implements LeaseOutcome {
    }
}
