package dev.keel.replication.restore;

import dev.keel.core.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SortedSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a rollback journal in SQLite's own format ("The Rollback Journal" in SQLite's file format
 * page) holding the original content of the pages a follower is about to overwrite. While it exists
 * and no process holds a RESERVED lock on the database, it is a hot journal: the next connection
 * that can write (the follower itself when it starts again) rolls the database back to the state
 * before the interrupted apply, and a read-only connection refuses to read rather than see a torn
 * state. Deleting it commits the apply, exactly as SQLite's DELETE journal mode commits.
 */
final class RollbackJournal {
    /** The magic number every journal header starts with. */
    private static final byte[] MAGIC = {(byte) 0xd9, (byte) 0xd5, 0x05, (byte) 0xf9, 0x20, (byte) 0xa1, 0x63, (byte) 0xd7};
    /** Header size written in the header (SQLite reads the records from there on); a power of two from 32. */
    static final int SECTOR_SIZE = 512;

    private RollbackJournal() {
    }

    /** The journal path SQLite looks for beside {@code db}. */
    static Path of(Path db) {
        return db.resolveSibling(db.getFileName() + "-journal");
    }

    /** Reads the current content of a page of the database. */
    interface PageReader {
        byte[] read(long pageNumber) throws IOException;
    }

    /**
     * Writes and fsyncs (file and directory) a journal for {@code db} whose rollback restores the
     * current content of {@code pages} (read one at a time through {@code reader}) and cuts the file
     * back to {@code originalPages} pages.
     */
    static void write(Path journal, int pageSize, long originalPages, SortedSet<Long> pages, PageReader reader)
            throws IOException {
        int nonce = ThreadLocalRandom.current().nextInt();
        ByteBuffer header = ByteBuffer.allocate(SECTOR_SIZE).order(ByteOrder.BIG_ENDIAN);
        header.put(MAGIC).putInt(pages.size()).putInt(nonce).putInt((int) originalPages)
                .putInt(SECTOR_SIZE).putInt(pageSize);
        header.clear();
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = writeFully(ch, header, 0);
            ByteBuffer record = ByteBuffer.allocate(4 + pageSize + 4).order(ByteOrder.BIG_ENDIAN);
            for (long pageNumber : pages) {
                byte[] page = reader.read(pageNumber);
                record.clear();
                record.putInt((int) pageNumber).put(page).putInt(checksum(nonce, page));
                record.flip();
                pos = writeFully(ch, record, pos);
            }
            ch.force(true);
        }
        DurableFiles.fsyncDirectory(journal.getParent());
    }

    /** SQLite's journal record checksum: the nonce plus every 200th byte, from the end of the page. */
    static int checksum(int nonce, byte[] page) {
        int sum = nonce;
        for (int i = page.length - 200; i > 0; i -= 200) sum += page[i] & 0xff;
        return sum;
    }

    /** Commits: the journal is gone, so nothing will roll the database back. */
    static void delete(Path journal) throws IOException {
        Files.deleteIfExists(journal);
    }

    private static long writeFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) pos += ch.write(buf, pos);
        return pos;
    }
}
