package dev.keel.replication.internal;

import dev.keel.replication.spi.LeaseRecord;
import java.io.IOException;

/** Another replicator holds the replica's lease (at start), or took it from this one (later). */
final class LeaseRefusedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient LeaseRecord holder;

    LeaseRefusedException(LeaseRecord holder) {
        super(LeaseKeeper.refusal(holder));
        this.holder = holder;
    }

    LeaseRecord holder() {
        return holder;
    }

    /** The refusal in {@code e}'s cause chain, or null. */
    static LeaseRefusedException find(Throwable e) {
        for (int depth = 0; e != null && depth < 8; e = e.getCause(), depth++) {
            if (e instanceof LeaseRefusedException r) return r;
        }
        return null;
    }
}
