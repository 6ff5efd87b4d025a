package dev.keel.replication.restore;

import dev.keel.core.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * A follower's live copy: a database in rollback-journal mode that readers in any process open
 * read-only, and that the follower changes in place, one batch of whole transactions at a time:
 * <ol>
 * <li>take SQLite's EXCLUSIVE lock through a connection of its own ({@code BEGIN EXCLUSIVE}): readers,
 *     in this process or another, wait (SQLITE_BUSY) until the batch is applied; a connection that finds
 *     a hot journal left by a crash rolls it back first;</li>
 * <li>write the original content of every page the batch changes to a rollback journal in SQLite's
 *     format ({@link RollbackJournal}) and fsync it;</li>
 * <li>write the pages with a file channel, cut or extend the file, and patch page 1: journal mode
 *     "rollback" (bytes 18-19), the page count (28), and a new file change counter (24 and 92) so
 *     readers drop their page caches;</li>
 * <li>fsync, record the new position beside the copy ({@link FollowState}), delete the journal (the
 *     commit point, as in SQLite's DELETE mode), release the lock.</li>
 * </ol>
 * SQLite's locks are POSIX locks, owned by the process: the follower's own channel is not blocked
 * by them, and closing any descriptor of the file would drop them all. So the channel is opened once,
 * before the connection, and closed after it.
 */
final class FollowerCopy implements AutoCloseable {
    /** Header offsets (SQLite's file format, "The Database Header"). */
    private static final int WRITE_VERSION = 18, READ_VERSION = 19, CHANGE_COUNTER = 24, PAGE_COUNT = 28,
            VERSION_VALID_FOR = 92;
    /** What a reader that waits for the lock waits at most per try; the follower tries again until stopped. */
    private static final int LOCK_WAIT_MS = 1000;

    private final Path path;
    private final FileChannel channel;
    private final Connection lock;
    private final int pageSize;

    private FollowerCopy(Path path, FileChannel channel, Connection lock, int pageSize) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.pageSize = pageSize;
    }

    /**
     * Opens the copy at {@code path} (in rollback mode, see {@link #toRollbackMode}); an apply that a
     * crash interrupted is rolled back by SQLite here, before anything is read.
     */
    static FollowerCopy open(Path path, BooleanSupplier stopped) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Connection lock = null;
        try {
            lock = DriverManager.getConnection("jdbc:sqlite:file:" + path.toAbsolutePath().toUri().getRawPath());
            try (Statement s = lock.createStatement()) {
                s.execute("PRAGMA busy_timeout = " + LOCK_WAIT_MS);
            }
            FollowerCopy copy = new FollowerCopy(path, channel, lock, 0);
            copy.lock(stopped); // rolls back a hot journal
            int pageSize;
            try {
                pageSize = copy.header().pageSize;
            } finally {
                copy.unlock();
            }
            return new FollowerCopy(path, channel, lock, pageSize);
        } catch (SQLException e) {
            closeQuietly(lock);
            channel.close();
            throw new IOException("cannot open the follower's copy with SQLite: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(lock);
            channel.close();
            throw e;
        }
    }

    /**
     * Turns a freshly restored file (not yet visible to anyone) into a copy a follower can apply to:
     * rollback-journal mode, a valid page count and change counter {@code changeCounter}.
     */
    static void toRollbackMode(Path file, long changeCounter) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(100).order(ByteOrder.BIG_ENDIAN);
            readFully(ch, head, 0);
            int pageSize = pageSize(head);
            patchHeader(head.array(), ch.size() / pageSize, changeCounter);
            ch.write(ByteBuffer.wrap(head.array()), 0);
            ch.force(true);
        }
    }

    /** The copy's file change counter, read under the lock. */
    long changeCounter(BooleanSupplier stopped) throws IOException {
        lock(stopped);
        try {
            return header().changeCounter;
        } finally {
            unlock();
        }
    }

    /**
     * Applies {@code batch} as one step that readers and crashes see whole or not at all;
     * {@code beforeCommit} runs with the new content durable, before the journal is deleted (it
     * records the new position). Returns the copy's new change counter.
     */
    long apply(PageBatch batch, CommitHook beforeCommit, BooleanSupplier stopped) throws IOException {
        lock(stopped);
        boolean journalWritten = false;
        Path journal = RollbackJournal.of(path);
        try {
            Header header = header();
            long oldPages = channel.size() / pageSize;
            long newPages = batch.pageCount();
            long cut = Math.min(batch.minPageCount(), oldPages);
            // Only page numbers are gathered: the original images go straight to the journal and the
            // new ones come from the batch one at a time, so memory does not grow with the transaction.
            SortedSet<Long> journaled = new TreeSet<>();
            journaled.add(1L);
            for (long p : batch.pageNumbers()) if (p <= oldPages) journaled.add(p);
            for (long p = cut + 1; p <= oldPages; p++) journaled.add(p);
            byte[] originalFirst = readPage(1);
            RollbackJournal.write(journal, pageSize, oldPages, journaled, p -> p == 1 ? originalFirst : readPage(p));
            journalWritten = true;
            if (cut < oldPages) channel.truncate(cut * pageSize);
            if (channel.size() > newPages * pageSize) channel.truncate(newPages * pageSize);
            for (long p : batch.pageNumbers()) {
                if (p != 1) writeFully(ByteBuffer.wrap(batch.page(p)), (p - 1) * pageSize);
            }
            if (channel.size() < newPages * pageSize) writeFully(ByteBuffer.allocate(1), newPages * pageSize - 1);
            byte[] newFirst = batch.page(1);
            byte[] first = newFirst != null ? newFirst.clone() : originalFirst.clone();
            long counter = (header.changeCounter + 1) & 0xFFFFFFFFL;
            patchHeader(first, newPages, counter);
            writeFully(ByteBuffer.wrap(first), 0);
            channel.force(true);
            beforeCommit.run(counter);
            RollbackJournal.delete(journal);
            journalWritten = false;
            return counter;
        } finally {
            // After a failure the journal stays: the next lock (ours, or a writable reader's) rolls it back.
            unlock();
            if (journalWritten) DurableFiles.fsyncDirectory(path.toAbsolutePath().getParent());
        }
    }

    /** Runs once the batch is durable, before it is committed; gets the new change counter. */
    interface CommitHook {
        void run(long changeCounter) throws IOException;
    }

    private void lock(BooleanSupplier stopped) throws IOException {
        while (true) {
            try (Statement s = lock.createStatement()) {
                s.execute("BEGIN EXCLUSIVE");
                return;
            } catch (SQLException e) {
                boolean busy = e.getMessage() != null && (e.getMessage().contains("SQLITE_BUSY") || e.getMessage().contains("locked"));
                if (!busy) throw new IOException("cannot lock the follower's copy: " + e.getMessage(), e);
                if (stopped.getAsBoolean()) throw new java.io.InterruptedIOException("stopped while waiting for readers to finish");
            }
        }
    }

    private void unlock() throws IOException {
        try (Statement s = lock.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            throw new IOException("cannot unlock the follower's copy: " + e.getMessage(), e);
        }
    }

    private record Header(int pageSize, long changeCounter) {
    }

    private Header header() throws IOException {
        ByteBuffer head = ByteBuffer.allocate(100).order(ByteOrder.BIG_ENDIAN);
        readFully(channel, head, 0);
        return new Header(pageSize(head), head.getInt(CHANGE_COUNTER) & 0xFFFFFFFFL);
    }

    private static int pageSize(ByteBuffer head) throws IOException {
        int raw = head.getShort(16) & 0xffff;
        int size = raw == 1 ? 65536 : raw;
        if (size < 512 || Integer.bitCount(size) != 1) throw new IOException("not a SQLite database (page size " + raw + ")");
        return size;
    }

    private static void patchHeader(byte[] page1, long pageCount, long changeCounter) {
        ByteBuffer b = ByteBuffer.wrap(page1).order(ByteOrder.BIG_ENDIAN);
        b.put(WRITE_VERSION, (byte) 1).put(READ_VERSION, (byte) 1);
        b.putInt(CHANGE_COUNTER, (int) changeCounter).putInt(VERSION_VALID_FOR, (int) changeCounter);
        b.putInt(PAGE_COUNT, (int) pageCount);
    }

    private byte[] readPage(long pageNumber) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(pageSize);
        readFully(channel, buf, (pageNumber - 1) * pageSize);
        return buf.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) throw new java.io.EOFException("the follower's copy ends early");
        }
    }

    private void writeFully(ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) pos += channel.write(buf, pos);
    }

    int pageSize() {
        return pageSize;
    }

    Path path() {
        return path;
    }

    /** Closes the connection first, then the channel whose closing drops the process's locks on the file. */
    @Override
    public void close() throws IOException {
        closeQuietly(lock);
        channel.close();
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing was written through it
        }
    }
}
