package dev.keel.core.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file is a database once its header is there and it is as long as the header says. */
class SqliteFileTest {
    @TempDir
    Path dir;

    /** A header for {@code pages} pages of 4096 bytes; {@code validFor} differs from the change counter in old files. */
    private static byte[] database(int pages, int changeCounter, int validFor) {
        byte[] bytes = new byte[pages * 4096];
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.put("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII));
        b.putShort(16, (short) 4096);
        b.putInt(24, changeCounter);
        b.putInt(28, pages);
        b.putInt(92, validFor);
        return bytes;
    }

    @Test
    void aCopyInProgressIsNotADatabaseUntilItIsWhole() throws Exception {
        Path file = dir.resolve("copy.db");
        byte[] whole = database(3, 7, 7);
        Files.write(file, Arrays.copyOf(whole, 2 * 4096));
        assertThat(SqliteFile.looksLikeDatabase(file)).isFalse();
        Files.write(file, whole);
        assertThat(SqliteFile.looksLikeDatabase(file)).isTrue();
    }

    @Test
    void aHeaderWhoseSizeFieldIsStaleIsJudgedByTheMagicAlone() throws Exception {
        Path file = dir.resolve("old.db");
        Files.write(file, Arrays.copyOf(database(3, 7, 6), 4096)); // written by SQLite before 3.7.0
        assertThat(SqliteFile.looksLikeDatabase(file)).isTrue();
    }

    @Test
    void sideFilesAreNeverDatabases() {
        for (String name : new String[]{"a.db-wal", "a.db-shm", "a.db-journal", "a.db-mj0123ABCD", "x.tmp", ".a.db-keel"}) {
            assertThat(SqliteFile.isSideFile(name)).as(name).isTrue();
        }
        assertThat(SqliteFile.isSideFile("a.db")).isFalse();
    }
}
