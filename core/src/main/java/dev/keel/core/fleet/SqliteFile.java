package dev.keel.core.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Tells SQLite database files from the other files that live beside them. */
public final class SqliteFile {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /** The smallest complete database: one 512-byte page. */
    private static final int MIN_SIZE = 512;

    private SqliteFile() {
    }

    /**
     * SQLite's own side files (WAL, shared memory, rollback journals, super-journals) and Keel's and
     * Litestream's temporary files: never a database of a fleet, whatever the pattern.
     */
    public static boolean isSideFile(String fileName) {
        return fileName.endsWith("-wal") || fileName.endsWith("-shm") || fileName.endsWith("-journal")
                || fileName.matches(".*-mj[0-9A-F]{8,9}") || fileName.endsWith(".tmp")
                || fileName.startsWith(".");
    }

    /**
     * True when the file starts with SQLite's header and holds at least one page. A file being created
     * (empty, or half-written by a copy) is not a database yet and is looked at again on a later scan.
     * Never call this for a database this process has open through SQLite: closing the descriptor it
     * opens drops SQLite's POSIX locks on the file.
     */
    public static boolean looksLikeDatabase(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) < MIN_SIZE) return false;
            try (InputStream in = Files.newInputStream(file)) {
                return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
            }
        } catch (IOException e) {
            return false; // gone or unreadable now; a later scan looks again
        }
    }
}
