package dev.keel.replication.restore;

import java.util.Map;
import java.util.TreeMap;

/**
 * The pages and size changes of whole transactions replayed since the last apply, to be written to
 * a follower's copy in one step. Sizes fold the way {@link DatabaseImage} folds them: a transaction
 * that shrinks the database drops the buffered pages beyond it, and the smallest size seen is where
 * the file must be cut before the pages are written (pages between that cut and a later, larger size
 * read as zeros, as they would in SQLite).
 */
final class PageBatch implements PageSink {
    private final TreeMap<Long, byte[]> pages = new TreeMap<>();
    private long minPageCount = Long.MAX_VALUE;
    private long pageCount = -1;
    private long transactions;
    private long bytes;

    @Override
    public void put(long pageNumber, byte[] page) {
        byte[] old = pages.put(pageNumber, page);
        bytes += page.length - (old == null ? 0 : old.length);
    }

    @Override
    public void setPageCount(long count) {
        pages.tailMap(count, false).values().forEach(p -> bytes -= p.length);
        pages.tailMap(count, false).clear();
        minPageCount = Math.min(minPageCount, count);
        pageCount = count;
    }

    @Override
    public void committed(long count) {
        setPageCount(count);
        transactions++;
    }

    /** Page images by page number, ascending. */
    Map<Long, byte[]> pages() {
        return pages;
    }

    /** The size of the database after the last transaction, in pages; -1 when nothing committed. */
    long pageCount() {
        return pageCount;
    }

    /** The smallest size the database had during the batch (the file is cut there first). */
    long minPageCount() {
        return minPageCount;
    }

    long transactions() {
        return transactions;
    }

    /** Bytes of page images held. */
    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return pageCount < 0;
    }

    void clear() {
        pages.clear();
        minPageCount = Long.MAX_VALUE;
        pageCount = -1;
        transactions = 0;
        bytes = 0;
    }
}
