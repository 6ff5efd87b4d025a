package dev.keel.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DatabaseHeader against database files written by real SQLite (read only after every connection closed). */
class DatabaseHeaderTest {
    @TempDir
    Path dir;

    private static byte[] headerBytes(Path db) throws Exception {
        return Arrays.copyOf(Files.readAllBytes(db), DatabaseHeader.SIZE);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 2048, 4096, 8192, 16384, 32768, 65536})
    void readsPageSizeAndPageCountOfAWalDatabase(int pageSize) throws Exception {
        Path db = dir.resolve("p" + pageSize + ".db");
        long pageCount;
        try (Connection c = RealSqlite.newWalDatabase(db, pageSize)) {
            RealSqlite.insertRows(c, 20, 2 * pageSize);
            pageCount = RealSqlite.queryLong(c, "PRAGMA page_count");
        }
        byte[] raw = headerBytes(db);
        assertThat(Bytes.shortBE(raw, 16)).as("raw page size field").isEqualTo(pageSize == 65536 ? 1 : pageSize);

        DatabaseHeader h = DatabaseHeader.parse(raw);
        assertThat(h.pageSize()).isEqualTo(pageSize);
        assertThat(h.pageCount()).isEqualTo(pageCount).isGreaterThan(2);
        assertThat(h.pageCountValid()).isTrue();
        assertThat(h.writeVersion()).isEqualTo(2);
        assertThat(h.readVersion()).isEqualTo(2);
        assertThat(h.walMode()).isTrue();
        assertThat(Files.size(db)).isEqualTo(pageCount * pageSize);
        assertThat(h.sqliteVersion()).isGreaterThanOrEqualTo(3_054_000);
        assertThat(PageSizes.encodeHeaderField(pageSize)).isEqualTo(Bytes.shortBE(raw, 16));
    }

    @Test
    void rollbackJournalDatabaseHasVersionOneAndCountsChanges() throws Exception {
        Path db = dir.resolve("rollback.db");
        try (Connection c = RealSqlite.open(db)) {
            RealSqlite.exec(c, "PRAGMA journal_mode=DELETE", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            RealSqlite.insertRows(c, 5, 3000);
        }
        DatabaseHeader before = DatabaseHeader.parse(headerBytes(db));
        assertThat(before.writeVersion()).isEqualTo(1);
        assertThat(before.readVersion()).isEqualTo(1);
        assertThat(before.walMode()).isFalse();

        long pageCount;
        try (Connection c = RealSqlite.open(db)) {
            RealSqlite.insertRows(c, 7, 3000);
            pageCount = RealSqlite.queryLong(c, "PRAGMA page_count");
        }
        DatabaseHeader after;
        try (FileChannel ch = FileChannel.open(db)) {
            after = DatabaseHeader.read(ch);
        }
        assertThat(after.fileChangeCounter() - before.fileChangeCounter()).as("one change per transaction").isEqualTo(7);
        assertThat(after.versionValidFor()).isEqualTo(after.fileChangeCounter());
        assertThat(after.pageCountValid()).isTrue();
        assertThat(after.pageCount()).isEqualTo(pageCount);
        assertThat(after.pageSize()).isEqualTo(4096);
    }

    @Test
    void rejectsFilesThatAreNotSqliteDatabases() throws Exception {
        Path db = dir.resolve("real.db");
        RealSqlite.createClosedWalDatabase(db, 1024);
        byte[] real = headerBytes(db);

        byte[] text = "SQLite format 2\0 not really a database, just text padded to a hundred bytes ............................"
                .getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> DatabaseHeader.parse(text)).isInstanceOf(WalFormatException.class).hasMessageContaining("not a SQLite database");
        assertThatThrownBy(() -> DatabaseHeader.parse(new byte[100])).isInstanceOf(WalFormatException.class);
        assertThatThrownBy(() -> DatabaseHeader.parse(Arrays.copyOf(real, 99))).isInstanceOf(WalFormatException.class);
        assertThat(DatabaseHeader.looksLikeDatabase(new byte[3])).isFalse();

        for (int badPageSize : new int[] {0, 2, 3, 256, 1000, 0xffff}) {
            byte[] corrupt = real.clone();
            corrupt[16] = (byte) (badPageSize >> 8);
            corrupt[17] = (byte) badPageSize;
            assertThatThrownBy(() -> DatabaseHeader.parse(corrupt)).as("page size field %d", badPageSize)
                    .isInstanceOf(WalFormatException.class).hasMessageContaining("page size");
        }

        // a WAL is not a database
        Path walDb = dir.resolve("w.db");
        try (Connection c = RealSqlite.newWalDatabase(walDb, 4096)) {
            RealSqlite.insertRows(c, 2, 10);
            byte[] wal = RealSqlite.walBytes(walDb);
            assertThatThrownBy(() -> DatabaseHeader.parse(Arrays.copyOf(wal, 100))).isInstanceOf(WalFormatException.class);
        }

        Path shortFile = dir.resolve("short.db");
        Files.write(shortFile, Arrays.copyOf(real, 50));
        try (FileChannel ch = FileChannel.open(shortFile)) {
            assertThatThrownBy(() -> DatabaseHeader.read(ch)).isInstanceOf(WalFormatException.class);
        }
    }

    @Test
    void pageSizeFieldEncoding() {
        assertThat(PageSizes.decodeHeaderField(1)).isEqualTo(65536);
        assertThat(PageSizes.decodeHeaderField(512)).isEqualTo(512);
        assertThat(PageSizes.encodeHeaderField(65536)).isEqualTo(1);
        assertThat(PageSizes.isValid(256)).isFalse();
        assertThat(PageSizes.isValid(131072)).isFalse();
        assertThat(PageSizes.isValid(3000)).isFalse();
        assertThatThrownBy(() -> PageSizes.encodeHeaderField(3000)).isInstanceOf(IllegalArgumentException.class);
    }
}
