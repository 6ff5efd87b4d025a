package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.format.WalHeader;
import dev.keel.replication.api.ReplicaLayout;

/**
 * What links one WAL index to the next in a generation. A generation continues at the next index only
 * after a WAL restart, and SQLite restarts a WAL by adding one to salt-1 (salt-2 is drawn at random);
 * a WAL created from scratch gets random salts, and replicators (Keel and Litestream 0.3) start a new
 * generation then. So salt-1 of index n+1 is salt-1 of index n plus one, in replicas written by both
 * (tested against Litestream 0.3.13 across dozens of restarts). The checkpoint sequence number is not
 * used: it restarts from 1 when the wal-index is rebuilt by a new connection, without a new generation.
 * An index copied from another index, generation or database breaks the rule; its frames would check
 * out against their own header, so without this check it would be applied silently.
 */
final class WalContinuity {
    private WalContinuity() {
    }

    /** Throws BAD_INPUT (naming no object: the caller adds the segment's path) when {@code next} does not follow {@code previous}. */
    static void check(WalHeader previous, WalHeader next, long nextIndex) {
        int expected = previous.salt1() + 1; // wraps at 2^32 as SQLite's does
        if (next.salt1() == expected) return;
        String why = next.salt1() == previous.salt1() && next.salt2() == previous.salt2()
                ? "its header repeats the salts of index " + ReplicaLayout.hex(nextIndex - 1) + " (a copy of that index?)"
                : "its salt-1 is " + Integer.toUnsignedString(next.salt1()) + " where a WAL restart after index "
                + ReplicaLayout.hex(nextIndex - 1) + " gives " + Integer.toUnsignedString(expected)
                + " (a copy from another index, generation or database?)";
        throw new KeelException(ErrorCode.BAD_INPUT, "WAL index " + ReplicaLayout.hex(nextIndex)
                + " does not continue the previous index: " + why, null,
                "restore up to index " + ReplicaLayout.hex(nextIndex - 1) + " (-generation G -index "
                + ReplicaLayout.hex(nextIndex - 1) + "), or from another generation or replica");
    }
}
