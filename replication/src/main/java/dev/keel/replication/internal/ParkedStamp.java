package dev.keel.replication.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * What a parked database's files looked like when Keel let go of it: the identity of the db file, and
 * the identity, size and modification time of its WAL, read with two stats and no open. Any write to
 * the WAL changes its size or time. A time too close to the moment it was read is not trusted (a write
 * in the same clock tick would keep it, as git's "racy" index entries): such a stamp always reads as
 * changed, so the database is taken back and looked at once more.
 */
record ParkedStamp(Object dbKey, Object walKey, long walSize, long walModifiedNanos, boolean racy) {
    /** How close to now a modification time is too close to tell two writes apart. */
    static final long RACY_NANOS = 2_000_000_000L;
    private static final Object MISSING = new Object();

    static ParkedStamp of(Path db, Path wal) throws IOException {
        Object dbKey = key(db);
        long now = System.currentTimeMillis();
        try {
            BasicFileAttributes a = Files.readAttributes(wal, BasicFileAttributes.class);
            long modified = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
            return new ParkedStamp(dbKey, a.fileKey(), a.size(), modified, modified >= now * 1_000_000L - RACY_NANOS);
        } catch (NoSuchFileException e) {
            return new ParkedStamp(dbKey, MISSING, -1, 0, false);
        }
    }

    private static Object key(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return MISSING;
        }
    }

    /** True when the files read differently now (or the stamp is racy, or they cannot be read). */
    boolean changed(Path db, Path wal) {
        if (racy) return true;
        try {
            ParkedStamp now = of(db, wal);
            return !Objects.equals(dbKey, now.dbKey) || !Objects.equals(walKey, now.walKey) || walSize != now.walSize
                    || walModifiedNanos != now.walModifiedNanos;
        } catch (IOException e) {
            return true;
        }
    }

    /** True when there was no WAL when the stamp was taken. */
    boolean walMissing() {
        return walKey == MISSING;
    }
}
