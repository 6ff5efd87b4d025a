package dev.keel.replication.restore;

import dev.keel.format.DatabaseHeader;
import dev.keel.format.Lz4StreamDecoder;
import dev.keel.format.WalFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a snapshot's decoded content into the database file, each piece at its offset, and reads
 * the page size from the database header as soon as its first 100 bytes have gone by, so that WAL
 * replay can start before the snapshot is complete.
 */
final class SnapshotWriter implements Lz4StreamDecoder.Sink {
    private final OutputFile file;
    private final CompletableFuture<DatabaseHeader> header;
    private final byte[] head = new byte[DatabaseHeader.SIZE];
    private int headLength;

    SnapshotWriter(OutputFile file, CompletableFuture<DatabaseHeader> header) {
        this.file = file;
        this.header = header;
    }

    @Override
    public void write(long offset, byte[] content, int from, int length) throws IOException {
        if (headLength < head.length) {
            int n = Math.min(length, head.length - headLength);
            System.arraycopy(content, from, head, headLength, n);
            headLength += n;
            if (headLength == head.length) header.complete(parseHeader());
        }
        file.write(ByteBuffer.wrap(content, from, length), offset);
    }

    /** Checks the whole snapshot once it is written; returns its size. */
    long finish(long size) {
        if (size == 0) throw new WalFormatException("the snapshot is empty");
        if (headLength < head.length) throw notADatabase();
        int pages = header.join().pageSize();
        if (size % pages != 0) {
            throw new WalFormatException("the snapshot is " + size + " bytes, not a whole number of " + pages + "-byte pages");
        }
        return size;
    }

    private DatabaseHeader parseHeader() {
        if (!DatabaseHeader.looksLikeDatabase(head)) throw notADatabase();
        return DatabaseHeader.parse(head);
    }

    private static WalFormatException notADatabase() {
        return new WalFormatException("the snapshot is not a SQLite database");
    }
}
