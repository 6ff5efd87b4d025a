package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stamp a parked (or quiet) database is compared with at every tick: every way its files can
 * change reads as a change, including a WAL that was missing and appears, which the cheap missing-file
 * check must not hide.
 */
class ParkedStampTest {
    @TempDir
    Path dir;

    @Test
    void unchangedFilesReadTheSameWithOrWithoutAWal() throws Exception {
        Path db = settled(dir.resolve("a.db"), "db");
        Path wal = dir.resolve("a.db-wal");
        ParkedStamp noWal = ParkedStamp.of(db, wal);
        assertThat(noWal.walMissing()).isTrue();
        assertThat(noWal.racy()).isFalse();
        assertThat(noWal.changed(db, wal)).as("still no WAL").isFalse();

        settled(wal, "wal");
        ParkedStamp withWal = ParkedStamp.of(db, wal);
        assertThat(withWal.changed(db, wal)).isFalse();
    }

    @Test
    void aWalThatAppearsOrGoesIsAChange() throws Exception {
        Path db = settled(dir.resolve("a.db"), "db");
        Path wal = dir.resolve("a.db-wal");
        ParkedStamp noWal = ParkedStamp.of(db, wal);
        Files.writeString(wal, "");
        assertThat(noWal.changed(db, wal)).as("an empty WAL appeared").isTrue();

        settled(wal, "wal");
        ParkedStamp withWal = ParkedStamp.of(db, wal);
        Files.delete(wal);
        assertThat(withWal.changed(db, wal)).as("the WAL was removed").isTrue();
    }

    @Test
    void aWriteOrAReplacedFileIsAChange() throws Exception {
        Path db = settled(dir.resolve("a.db"), "db");
        Path wal = settled(dir.resolve("a.db-wal"), "wal");
        ParkedStamp stamp = ParkedStamp.of(db, wal);

        Files.writeString(wal, "more", StandardOpenOption.APPEND);
        assertThat(stamp.changed(db, wal)).as("appended to the WAL").isTrue();

        stamp = ParkedStamp.of(db, settled(wal, "wal2"));
        Path other = settled(dir.resolve("other"), "db"); // same size and time, another file
        Files.setLastModifiedTime(other, Files.getLastModifiedTime(db));
        Files.move(other, db, StandardCopyOption.REPLACE_EXISTING);
        assertThat(stamp.changed(db, wal)).as("the db file was replaced by another with the same size and time").isTrue();

        stamp = ParkedStamp.of(db, wal);
        Files.delete(db);
        assertThat(stamp.changed(db, wal)).as("the db file was removed").isTrue();
    }

    /** Writes {@code content} with a modification time well in the past, so the stamp is not racy. */
    private static Path settled(Path file, String content) throws Exception {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        return file;
    }
}
