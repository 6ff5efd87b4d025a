package dev.keel.replication.file;

import dev.keel.core.DurableFiles;
import dev.keel.replication.spi.ConditionalObjects;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Compare-and-swap on small files of a file replica, with nothing else in the replica: no lock file.
 * A create writes a temp file and hard-links it to the name, which fails atomically when the name
 * exists. A replace (and a read) runs under an OS lock on the file itself (exclusive, resp. shared;
 * held by a process, so one killed mid-swap frees it; honoured across hosts by NFSv4 and SMB, not by
 * every network file system), plus a lock inside this JVM, since OS locks are per process and closing
 * any descriptor of a file drops them. Inside, the file is rewritten in place (the lock is on its inode,
 * which a rename would replace) only while its content digest is still the version the caller read,
 * in one write padded with newlines to its old length, so that a crash mid-write never leaves the tail
 * of an older record behind.
 */
final class FileConditionalObjects implements ConditionalObjects {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Function<String, Path> resolve;

    FileConditionalObjects(Function<String, Path> resolve) {
        this.resolve = resolve;
    }

    @Override
    public Versioned read(String key) throws IOException {
        Path target = resolve.apply(key);
        return locked(target, true, channel -> {
            byte[] bytes = readAll(channel, target);
            return new Versioned(bytes, digest(bytes));
        });
    }

    @Override
    public String create(String key, byte[] bytes) throws IOException {
        Path target = resolve.apply(key);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(bytes));
                out.force(true);
            }
            try {
                Files.createLink(target, temp);
            } catch (FileAlreadyExistsException e) {
                return null;
            }
            DurableFiles.fsyncDirectory(target.getParent());
            return digest(bytes);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public String replace(String key, byte[] bytes, String version) throws IOException {
        Path target = resolve.apply(key);
        Versioned swapped = locked(target, false, channel -> {
            byte[] now = readAll(channel, target);
            if (!digest(now).equals(version)) return null;
            byte[] stored = bytes.length >= now.length ? bytes : Arrays.copyOf(bytes, now.length);
            if (stored.length > bytes.length) Arrays.fill(stored, bytes.length, stored.length, (byte) '\n');
            ByteBuffer buffer = ByteBuffer.wrap(stored);
            long at = 0;
            while (buffer.hasRemaining()) at += channel.write(buffer, at);
            channel.force(true);
            return new Versioned(stored, digest(stored));
        });
        return swapped == null ? null : swapped.version();
    }

    private interface Locked {
        Versioned run(FileChannel channel) throws IOException;
    }

    /** Runs {@code body} on the open file under both locks; null when there is no file. */
    private static Versioned locked(Path target, boolean shared, Locked body) throws IOException {
        ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(target.toAbsolutePath().normalize(), p -> new ReentrantLock());
        inProcess.lock();
        try (FileChannel channel = shared ? FileChannel.open(target, StandardOpenOption.READ)
                : FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock(0, Long.MAX_VALUE, shared)) {
            return body.run(channel);
        } catch (NoSuchFileException e) {
            return null;
        } finally {
            inProcess.unlock();
        }
    }

    private static byte[] readAll(FileChannel channel, Path file) throws IOException {
        long size = channel.size();
        if (size > MAX_BYTES) throw new IOException(file + " is larger than a lease object can be");
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
            // read to the end
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
