package dev.keel.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The fields of SQLite's 100-byte database header that replication and restore need. */
public record DatabaseHeader(int pageSize, int writeVersion, int readVersion, long fileChangeCounter,
                             long pageCount, long versionValidFor, int sqliteVersion) {
    public static final int SIZE = 100;
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /** True when the bytes start like a SQLite database. */
    public static boolean looksLikeDatabase(byte[] b) {
        return b.length >= MAGIC.length && Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** Parses the first 100 bytes of a database file; throws when they are not a SQLite header. */
    public static DatabaseHeader parse(byte[] b) {
        if (b.length < SIZE || !looksLikeDatabase(b)) {
            throw new WalFormatException("not a SQLite database (bad header)");
        }
        int pageSize = PageSizes.decodeHeaderField(Bytes.shortBE(b, 16));
        if (!PageSizes.isValid(pageSize)) throw new WalFormatException("database header has an invalid page size: " + pageSize);
        return new DatabaseHeader(pageSize, b[18] & 0xff, b[19] & 0xff, Bytes.uintBE(b, 24), Bytes.uintBE(b, 28),
                Bytes.uintBE(b, 92), Bytes.intBE(b, 96));
    }

    /**
     * Reads the header with a positional read, so a channel the caller keeps open can be used (closing
     * a descriptor on a database file drops SQLite's locks); throws when the file is not a database.
     */
    public static DatabaseHeader read(FileChannel db) throws IOException {
        byte[] b = new byte[SIZE];
        if (WalScanner.readFully(db, b, 0) < SIZE) throw new WalFormatException("not a SQLite database (shorter than its header)");
        return parse(b);
    }

    /** WAL mode is recorded as read and write version 2. */
    public boolean walMode() {
        return writeVersion == 2 && readVersion == 2;
    }

    /**
     * The in-header page count is only trusted by SQLite when the change counter equals
     * version-valid-for; otherwise the file size decides.
     */
    public boolean pageCountValid() {
        return fileChangeCounter == versionValidFor && pageCount > 0;
    }
}
