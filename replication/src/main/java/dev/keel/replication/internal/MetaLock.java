package dev.keel.replication.internal;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps a second replicator (another process, or another monitor in this one) away from a database:
 * two would both append to its shadow WAL and corrupt it. An exclusive lock on one byte of
 * {@value #FILE_NAME}, a file of Keel's own beside the local state directories, at the offset of the
 * state directory's inode: every database whose state lives in one directory shares that file and its
 * one descriptor, so a fleet pays one descriptor per directory for its locks, not one per database, and
 * a parked database (see {@link DatabaseMonitor#park()}) stays locked while it holds nothing else.
 * SQLite's locks on the database are not involved.
 */
final class MetaLock implements AutoCloseable {
    static final String FILE_NAME = ".keel-lock";
    /** Lock files open in this process, by path, with how many locks use each. */
    private static final Map<Path, Shared> FILES = new HashMap<>();

    private static final class Shared {
        final FileChannel channel;
        int users;

        Shared(FileChannel channel) {
            this.channel = channel;
        }
    }

    private final Path file;
    private final Shared shared;
    private final FileLock lock;

    private MetaLock(Path file, Shared shared, FileLock lock) {
        this.file = file;
        this.shared = shared;
        this.lock = lock;
    }

    static MetaLock acquire(Path meta, Path db) throws IOException {
        Path file = meta.toRealPath().getParent().resolve(FILE_NAME);
        long slot = slot(meta);
        synchronized (FILES) {
            Shared shared = FILES.get(file);
            if (shared == null) {
                shared = new Shared(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE));
                FILES.put(file, shared);
            }
            FileLock lock;
            try {
                lock = shared.channel.tryLock(slot, 1, false);
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            } catch (IOException | RuntimeException e) {
                closeIfUnused(file, shared);
                throw e;
            }
            if (lock == null) {
                closeIfUnused(file, shared);
                throw new KeelException(ErrorCode.REFUSED, "another keel process is already replicating this database",
                        db.toString(), "stop the other 'keel replicate' first (its state is in " + meta
                        + "); two replicators on one database would corrupt its shadow WAL");
            }
            shared.users++;
            return new MetaLock(file, shared, lock);
        }
    }

    /** The byte locked for a state directory: its inode (unique in its file system), or a hash of its path without one. */
    private static long slot(Path meta) throws IOException {
        try {
            Object ino = Files.getAttribute(meta, "unix:ino");
            if (ino instanceof Long l && l >= 0) return l;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no unix attributes here
        }
        return meta.toRealPath().toString().hashCode() & 0x7fffffffL;
    }

    /** Closing the channel drops every lock of this process on the file: only once no lock uses it. */
    private static void closeIfUnused(Path file, Shared shared) throws IOException {
        if (shared.users > 0) return;
        FILES.remove(file);
        shared.channel.close();
    }

    @Override
    public void close() throws IOException {
        synchronized (FILES) {
            try {
                lock.release();
            } finally {
                shared.users--;
                closeIfUnused(file, shared);
            }
        }
    }
}
