package dev.keel.replication.internal;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.LeaseRecord;
import dev.keel.replication.spi.LeaseUnsupportedException;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's side of its writer lease: asks the {@link LeaseKeeper} before writing, says whether the
 * replica may write, and turns a lease that cannot be taken at start into a clear error.
 */
final class WriterLease {
    /** The replica's logger: these lines are the replica's, and log settings name that class. */
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

    private final LeaseKeeper keeper;
    private final String replica;
    /** The replica's client, for its description in messages. */
    private final ReplicaClient client;
    private final Path database;
    private boolean waitLogged;

    WriterLease(LeaseKeeper keeper, String replica, ReplicaClient client, Path database) {
        this.keeper = keeper;
        this.replica = replica;
        this.client = client;
        this.database = database;
    }

    /** Takes or renews the lease; refused is a storage failure naming the holder. */
    LeaseKeeper.Verdict check() throws IOException {
        LeaseKeeper.Verdict verdict = keeper.check();
        if (verdict instanceof LeaseKeeper.Refused r) {
            throw new StorageFailures.StorageFailure(client.describe(), new LeaseRefusedException(r.current()));
        }
        return verdict;
    }

    /** The holder this replica just took the lease over from (once), null when there is none. */
    LeaseRecord takeTakenOverFrom() {
        return keeper.takeTakenOverFrom();
    }

    /** False while a live holder's lease runs out after a takeover (logged once): nothing is written. */
    boolean mayWrite(LeaseKeeper.Verdict verdict) {
        if (verdict instanceof LeaseKeeper.Wait w) {
            if (!waitLogged) {
                LOG.info("{} -> {}: lease taken over from {}; writing starts when that lease ends at {}", database,
                        client.describe(), w.previous().holder(), w.until());
                waitLogged = true;
            }
            return false;
        }
        return true;
    }

    /** Gives up the lease (closing), so the next replicator takes it at once and continues the lineage. */
    void release() {
        keeper.release();
    }

    /**
     * Why the lease could not be taken at start, as the error to stop with: held by another replicator is
     * STORAGE_UNAVAILABLE naming the holder, a storage that cannot hold a lease BAD_INPUT.
     */
    KeelException startFailure(IOException e) {
        LeaseRefusedException refused = LeaseRefusedException.find(e);
        if (refused != null) {
            return new KeelException(ErrorCode.STORAGE_UNAVAILABLE, refused.getMessage(),
                    client.describe(), "stop the other replicator (or wait until its lease expires, if it is gone), or run "
                    + "keel replicate -takeover to take the replica over; it then starts a new generation", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LeaseUnsupportedException u) {
                return new KeelException(ErrorCode.BAD_INPUT, "replica " + replica + ": "
                        + u.getMessage(), client.describe(), u.hint(), e);
            }
        }
        return new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "replica " + replica
                + ": its lease could not be taken: " + e.getMessage(), client.describe(),
                "check that the storage answers and that Keel may read and write the object keel-lease at the "
                + "replica's root", e);
    }
}
