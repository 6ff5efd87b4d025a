package dev.keel.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Keel's one way to write a file that must survive a power cut: write a temp file beside it, fsync
 * it, rename it over the target, then fsync the directory so the rename itself is on disk. A reader
 * sees the old file or the new one, never a torn one.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** Writes a file's content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code target} with {@code content}, written first to {@code temp} (a name beside
     * {@code target} no one else uses; a leftover from a crash is removed first, and {@code temp} is
     * gone when this returns or throws).
     */
    public static void replace(Path target, Path temp, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        boolean moved = false;
        try {
            try (FileChannel channel = createNew(temp, dir)) {
                OutputStream out = Channels.newOutputStream(channel);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            fsyncDirectory(dir);
        } finally {
            if (!moved) Files.deleteIfExists(temp);
        }
    }

    /**
     * Creates {@code temp}, which must not exist: a leftover from a crash is removed first (never
     * followed, were it a link), and a missing directory is created. Neither costs a call when all is in
     * order, which is every time but the first for a replica's or the local state's directories.
     */
    private static FileChannel createNew(Path temp, Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (java.nio.file.FileAlreadyExistsException leftover) {
                if (attempt > 1) throw leftover;
                Files.deleteIfExists(temp);
            } catch (java.nio.file.NoSuchFileException noDirectory) {
                if (attempt > 1) throw noDirectory;
                Files.createDirectories(dir);
            }
        }
    }

    /**
     * Makes the entries of {@code dir} (files created, renamed or removed in it) durable. On Linux a
     * failure is an error; elsewhere some file systems cannot open a directory for fsync, and their
     * rename is atomic anyway, so it is skipped there.
     */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) throw e;
        }
    }
}
