package dev.keel.replication.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Page images of one size by page number, newest image only, holding at most a fixed number of bytes
 * in memory: beyond that budget, images go to a spool file (created on first need at {@code file})
 * and only their offsets stay in memory. A follower collects transactions in it, so a transaction
 * larger than memory is applied all the same. {@link #clear()} deletes the file; a follower that
 * starts deletes one a crash left.
 */
final class PageSpool implements AutoCloseable {
    private final int pageSize;
    private final long memoryBudget;
    private final Path file;
    /** A page's image (byte[]) or its offset in the spool file (Long). */
    private final TreeMap<Long, Object> pages = new TreeMap<>();
    private long inMemory;
    private FileChannel channel;
    private long end;

    PageSpool(int pageSize, long memoryBudget, Path file) {
        this.pageSize = pageSize;
        this.memoryBudget = memoryBudget;
        this.file = file;
    }

    /** Replaces the image of {@code pageNumber}. */
    void put(long pageNumber, byte[] page) throws IOException {
        if (page.length != pageSize) throw new IllegalArgumentException("page of " + page.length + " bytes, not " + pageSize);
        if (pages.get(pageNumber) instanceof byte[]) inMemory -= pageSize;
        if (inMemory + pageSize <= memoryBudget) {
            pages.put(pageNumber, page);
            inMemory += pageSize;
            return;
        }
        // A page written again leaves its old image in the file: bounded by the WAL being replayed.
        pages.put(pageNumber, end);
        ByteBuffer buf = ByteBuffer.wrap(page);
        while (buf.hasRemaining()) end += channel().write(buf, end);
    }

    /** The image of one page, read back from the spool file when it is there; null when absent. */
    byte[] get(long pageNumber) throws IOException {
        Object v = pages.get(pageNumber);
        if (v == null || v instanceof byte[]) return (byte[]) v;
        ByteBuffer buf = ByteBuffer.allocate(pageSize);
        while (buf.hasRemaining()) {
            if (channel.read(buf, (Long) v + buf.position()) < 0) throw new IOException("the spool file " + file + " ends early");
        }
        return buf.array();
    }

    /** Drops the pages above {@code pageCount}. */
    void removeAbove(long pageCount) {
        NavigableMap<Long, Object> tail = pages.tailMap(pageCount, false);
        for (Object v : tail.values()) if (v instanceof byte[]) inMemory -= pageSize;
        tail.clear();
    }

    /** Page numbers, ascending. */
    Iterable<Long> pageNumbers() {
        return pages.keySet();
    }

    boolean contains(long pageNumber) {
        return pages.containsKey(pageNumber);
    }

    boolean isEmpty() {
        return pages.isEmpty();
    }

    /** Bytes of page images held, in memory and spooled. */
    long bytes() {
        return (long) pages.size() * pageSize;
    }

    /** Bytes of page images held in memory. */
    long bytesInMemory() {
        return inMemory;
    }

    /** True while a spool file exists. */
    boolean spooled() {
        return channel != null;
    }

    /** Forgets every page and deletes the spool file. */
    void clear() {
        pages.clear();
        inMemory = 0;
        end = 0;
        if (channel == null) return;
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the next spool truncates the file, and the next follower of the copy deletes it
        } finally {
            channel = null;
        }
    }

    /** Deletes a spool file a crashed follower left. */
    static void removeLeftover(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public void close() {
        clear();
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            // Never fsynced: the spool lives only as long as this process's apply.
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }
}
