package dev.keel.core.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;

/** Tells SQLite database files from the other files that live beside them. */
public final class SqliteFile {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /** The smallest complete database: one 512-byte page. */
    private static final int MIN_SIZE = 512;
    private static final int HEADER_SIZE = 100;

    /** SQLite's super-journal names: {@code <db>-mj} and 8 or 9 hex digits. */
    private static final Pattern SUPER_JOURNAL = Pattern.compile(".*-mj[0-9A-F]{8,9}");

    private SqliteFile() {
    }

    /**
     * SQLite's own side files (WAL, shared memory, rollback journals, super-journals) and Keel's and
     * Litestream's temporary files: never a database of a fleet, whatever the pattern.
     */
    public static boolean isSideFile(String fileName) {
        return fileName.endsWith("-wal") || fileName.endsWith("-shm") || fileName.endsWith("-journal")
                || SUPER_JOURNAL.matcher(fileName).matches() || fileName.endsWith(".tmp")
                || fileName.startsWith(".");
    }

    /**
     * True when the file starts with SQLite's header, holds at least one page, and is as long as its
     * header says (when the header's size field is valid): a file being created (empty, or half-written
     * by a copy, which writes the first page first) is not a database yet and is looked at again on a
     * later scan.
     * Never call this for a database this process has open through SQLite: closing the descriptor it
     * opens drops SQLite's POSIX locks on the file.
     */
    public static boolean looksLikeDatabase(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) < MIN_SIZE) return false;
            try (InputStream in = Files.newInputStream(file)) {
                byte[] header = in.readNBytes(HEADER_SIZE);
                return header.length == HEADER_SIZE && Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                        && Files.size(file) >= declaredSize(header);
            }
        } catch (IOException e) {
            return false; // gone or unreadable now; a later scan looks again
        }
    }

    /**
     * Page size times the page count the header declares, or 0 when that count is not valid (SQLite
     * before 3.7.0 did not keep it; "version-valid-for" then differs from the change counter).
     */
    private static long declaredSize(byte[] header) {
        ByteBuffer b = ByteBuffer.wrap(header);
        int pageSize = Short.toUnsignedInt(b.getShort(16));
        if (pageSize == 1) pageSize = 65536;
        long pages = Integer.toUnsignedLong(b.getInt(28));
        if (b.getInt(24) != b.getInt(92)) return 0;
        return pages * pageSize;
    }
}
