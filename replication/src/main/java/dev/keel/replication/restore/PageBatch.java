package dev.keel.replication.restore;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The pages and size changes of whole transactions replayed since the last apply, to be written to
 * a follower's copy in one step. Sizes fold the way {@link DatabaseImage} folds them: a transaction
 * that shrinks the database drops the buffered pages beyond it, and the smallest size seen is where
 * the file must be cut before the pages are written (pages between that cut and a later, larger size
 * read as zeros, as they would in SQLite). Pages beyond the memory budget wait in a spool file
 * ({@link PageSpool}), so a transaction larger than memory is applied whole all the same.
 */
final class PageBatch implements PageSink, AutoCloseable {
    private final PageSpool pages;
    private long minPageCount = Long.MAX_VALUE;
    private long pageCount = -1;
    private long transactions;

    PageBatch(int pageSize, long memoryBudget, Path spoolFile) {
        this.pages = new PageSpool(pageSize, memoryBudget, spoolFile);
    }

    @Override
    public void put(long pageNumber, byte[] page) throws IOException {
        pages.put(pageNumber, page);
    }

    @Override
    public void setPageCount(long count) {
        pages.removeAbove(count);
        minPageCount = Math.min(minPageCount, count);
        pageCount = count;
    }

    @Override
    public void committed(long count) {
        setPageCount(count);
        transactions++;
    }

    /** Page numbers with an image, ascending. */
    Iterable<Long> pageNumbers() {
        return pages.pageNumbers();
    }

    /** The image of a page of the batch; null when the batch does not change it. */
    byte[] page(long pageNumber) throws IOException {
        return pages.get(pageNumber);
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

    /** Bytes of page images held, in memory and spooled. */
    long bytes() {
        return pages.bytes();
    }

    /** Bytes of page images held in memory. */
    long bytesInMemory() {
        return pages.bytesInMemory();
    }

    boolean isEmpty() {
        return pageCount < 0;
    }

    /** Forgets everything, spool file included. */
    void clear() {
        pages.clear();
        minPageCount = Long.MAX_VALUE;
        pageCount = -1;
        transactions = 0;
    }

    @Override
    public void close() {
        clear();
    }
}
