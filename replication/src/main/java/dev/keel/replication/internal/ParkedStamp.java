package dev.keel.replication.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * What a parked database's files looked like when Keel let go of it: the identity, size and
 * modification time of the db file and of its WAL, read with two stats and no open. Any write to either
 * changes its size or time: a commit appends to the WAL, and a checkpoint, or the last connection
 * closing (which checkpoints and removes the WAL), writes the db file. A modification time within
 * {@link #RACY_NANOS} of the moment it was read is "racy" (as git calls its index entries): a write
 * in the same clock tick of the file system would keep it. Such a stamp is taken again once that time
 * has passed (see {@code DatabaseMonitor}), and the WAL's header is read then as well.
 */
record ParkedStamp(File db, File wal, boolean racy, long takenNanos) {
    /** Longer than the file system's clock tick (a few ms on Linux): two writes further apart than this have different times. */
    static final long RACY_NANOS = 50_000_000L;

    /** One file's identity, size and modification time; {@link #MISSING} when it does not exist. */
    record File(Object key, long size, long modifiedNanos) {
        static final File MISSING = new File("missing", -1, 0);

        /** True when its modification time is within {@link #RACY_NANOS} of {@code nowNanos} (wall clock, ns). */
        boolean racyAt(long nowNanos) {
            return modifiedNanos >= nowNanos - RACY_NANOS;
        }

        static File of(Path path) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                return new File(a.fileKey(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
            } catch (NoSuchFileException e) {
                return MISSING;
            }
        }

        /**
         * True when {@code path} reads as this file. A file that was missing and still is costs one stat
         * and no exception: at 10,000 parked databases, most without a WAL, building a
         * {@link NoSuchFileException} every tick cost more CPU than the stats themselves.
         */
        boolean readsSame(Path path) throws IOException {
            if (equals(MISSING)) return !path.toFile().exists();
            return equals(of(path));
        }
    }

    static ParkedStamp of(Path db, Path wal) throws IOException {
        long now = System.currentTimeMillis() * 1_000_000L;
        File d = File.of(db);
        File w = File.of(wal);
        boolean racy = d.racyAt(now) || w.racyAt(now);
        return new ParkedStamp(d, w, racy, System.nanoTime());
    }

    /** True for a racy stamp once it can be taken again without being racy itself. */
    boolean settled() {
        return racy && System.nanoTime() - takenNanos > RACY_NANOS;
    }

    /** True when the files read differently now (or they cannot be read). */
    boolean changed(Path db, Path wal) {
        try {
            return !this.db.readsSame(db) || !this.wal.readsSame(wal);
        } catch (IOException e) {
            return true;
        }
    }

    /** True when there was no WAL when the stamp was taken. */
    boolean walMissing() {
        return wal.equals(File.MISSING);
    }
}
