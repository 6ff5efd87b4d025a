package dev.keel.replication.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The database file being rebuilt: a snapshot copy plus page writes and size changes replayed from
 * the WAL, applied lazily. Pages are kept in memory, newest image only, and written in page order when
 * the memory budget is reached or at the end, so a page changed a thousand times is written once.
 * Size changes are folded the way SQLite's checkpoint applies them: cutting the file drops both the
 * file's and the buffered pages beyond the cut.
 */
final class DatabaseImage implements PageSink {
    /** Blocks until the snapshot has been written into the channel; called before the first file write. */
    interface BaseReady {
        void await() throws IOException;
    }

    private static final int RUN_BYTES = 1 << 20;

    private final OutputFile file;
    private final int pageSize;
    private final long memoryBudget;
    private final BaseReady base;
    private final Map<Integer, byte[]> pages = new HashMap<>();
    private long truncateAt = Long.MAX_VALUE;
    private long finalLength = -1;
    private long pagesWritten;

    DatabaseImage(OutputFile file, int pageSize, long memoryBudget, BaseReady base) {
        this.file = file;
        this.pageSize = pageSize;
        this.memoryBudget = memoryBudget;
        this.base = base;
    }

    /** The newest committed image of page {@code pageNumber} (1-based). */
    @Override
    public void put(long pageNumber, byte[] page) throws IOException {
        pages.put((int) pageNumber, page);
        if ((long) pages.size() * pageSize >= memoryBudget) flush();
    }

    /** The file becomes {@code pageCount} pages long at this point of the replay. */
    @Override
    public void setPageCount(long pageCount) {
        long length = pageCount * pageSize;
        pages.keySet().removeIf(p -> p > pageCount);
        truncateAt = Math.min(truncateAt, length);
        finalLength = length;
    }

    /** Writes buffered pages and size changes to the file. */
    void flush() throws IOException {
        base.await();
        // Size changes first, then pages: a flush in the middle of an index (memory budget reached)
        // holds pages of that index beyond the previous index's size, which must survive it.
        if (truncateAt != Long.MAX_VALUE && truncateAt < file.size()) file.truncate(truncateAt);
        truncateAt = Long.MAX_VALUE;
        if (finalLength >= 0 && file.size() != finalLength) {
            if (file.size() > finalLength) {
                file.truncate(finalLength);
            } else {
                file.write(ByteBuffer.allocate(1), finalLength - 1); // extend with zeros, as ftruncate would
            }
        }
        finalLength = -1;
        int[] order = pages.keySet().stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(order);
        // Runs of consecutive pages go out in one write each: far fewer system calls than page by page.
        ByteBuffer run = ByteBuffer.allocate(Math.max(1, Math.min(order.length, RUN_BYTES / pageSize)) * pageSize);
        long runStart = 0;
        for (int pgno : order) {
            long pos = (long) (pgno - 1) * pageSize;
            if (run.position() > 0 && (pos != runStart + run.position() || !run.hasRemaining())) {
                write(run, runStart);
            }
            if (run.position() == 0) runStart = pos;
            run.put(pages.get(pgno));
        }
        if (run.position() > 0) write(run, runStart);
        pagesWritten += order.length;
        pages.clear();
    }

    private void write(ByteBuffer run, long pos) throws IOException {
        run.flip();
        file.write(run, pos);
        run.clear();
    }

    /** Distinct page images written to the file so far. */
    long pagesWritten() {
        return pagesWritten;
    }
}
