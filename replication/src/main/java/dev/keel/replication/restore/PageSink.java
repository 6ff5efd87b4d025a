package dev.keel.replication.restore;

import java.io.IOException;

/**
 * Where {@link WalReplayer} puts what committed transactions wrote: page images, and the database
 * size at the end of each transaction and of each WAL index. A restore builds a file from them
 * ({@link DatabaseImage}); a follower collects them into batches it applies to a live copy.
 */
interface PageSink {
    /** The newest committed image of page {@code pageNumber} (1-based). */
    void put(long pageNumber, byte[] page) throws IOException;

    /** The database is {@code pageCount} pages long at the end of a WAL index (as a checkpoint leaves it). */
    void setPageCount(long pageCount);

    /** A transaction committed, leaving the database {@code pageCount} pages long. */
    default void committed(long pageCount) {
    }
}
