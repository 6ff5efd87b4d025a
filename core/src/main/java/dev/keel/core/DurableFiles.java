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
        Files.createDirectories(dir);
        try {
            Files.deleteIfExists(temp); // never follows a link left there
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
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
