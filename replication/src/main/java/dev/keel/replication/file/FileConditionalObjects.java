package dev.keel.replication.file;

import dev.keel.core.DurableFiles;
import dev.keel.replication.spi.ConditionalObjects;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Compare-and-swap on small files of a file replica. Each create or replace runs under an exclusive OS
 * lock on {@code <key>.lock} (held by a process, so one killed mid-swap frees it; honoured across
 * hosts by NFSv4 and SMB, not by every network file system), plus a lock inside this JVM, since the OS
 * lock is per process. Inside, the file is created only when absent, or replaced (temp file, fsync,
 * rename) only while its content digest is still the version the caller read.
 */
final class FileConditionalObjects implements ConditionalObjects {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Function<String, Path> resolve;

    FileConditionalObjects(Function<String, Path> resolve) {
        this.resolve = resolve;
    }

    @Override
    public Versioned read(String key) throws IOException {
        byte[] bytes = readIfExists(resolve.apply(key));
        return bytes == null ? null : new Versioned(bytes, digest(bytes));
    }

    @Override
    public String create(String key, byte[] bytes) throws IOException {
        Path target = resolve.apply(key);
        return locked(target, () -> {
            if (Files.exists(target)) return null;
            store(target, bytes);
            return digest(bytes);
        });
    }

    @Override
    public String replace(String key, byte[] bytes, String version) throws IOException {
        Path target = resolve.apply(key);
        return locked(target, () -> {
            byte[] now = readIfExists(target);
            if (now == null || !digest(now).equals(version)) return null;
            store(target, bytes);
            return digest(bytes);
        });
    }

    private interface Swap {
        String run() throws IOException;
    }

    private static String locked(Path target, Swap swap) throws IOException {
        Files.createDirectories(target.getParent());
        Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
        ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        inProcess.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            return swap.run();
        } finally {
            inProcess.unlock();
        }
    }

    private static void store(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        DurableFiles.replace(target, temp, out -> out.write(bytes));
    }

    private static byte[] readIfExists(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) throw new IOException(file + " is larger than a lease object can be");
            return bytes;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
