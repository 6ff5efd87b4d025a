package dev.keel.replication.internal;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second replicator (another process, or another monitor in this one) away from a database:
 * two would both append to its shadow WAL and corrupt it. An exclusive lock on {@code <meta>/lock},
 * a file of Keel's own, so SQLite's locks on the database are not involved.
 */
final class MetaLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private MetaLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static MetaLock acquire(Path meta, Path db) throws IOException {
        FileChannel channel = FileChannel.open(meta.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new KeelException(ErrorCode.REFUSED, "another keel process is already replicating this database",
                    db.toString(), "stop the other 'keel replicate' first (its state is in " + meta
                    + "); two replicators on one database would corrupt its shadow WAL");
        }
        return new MetaLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
