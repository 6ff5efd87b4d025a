package dev.keel.replication.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Which file a local path really names. A database or directory reached through a symbolic link is
 * the link's target: SQLite puts {@code -wal} and {@code -shm} beside the target, and two names for
 * one file must be recognized as one.
 */
public final class LocalPaths {
    private LocalPaths() {
    }

    /** Links followed at most in a chain, as the kernel does (Linux's MAXSYMLINKS); a loop stops there. */
    private static final int MAX_LINKS = 40;

    /**
     * {@code path} made absolute and normalized with every symbolic link in it followed, as far as it
     * exists: the part that does not exist yet is appended to the real path of the part that does. A
     * link whose target is missing (a database that was lost) is followed too: SQLite would create
     * the database at the target, and that is the file the path names.
     */
    public static Path followLinks(Path path) {
        return followLinks(path, MAX_LINKS);
    }

    private static Path followLinks(Path path, int linksLeft) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null) {
            try {
                Path real = existing.toRealPath();
                return existing == absolute ? real : real.resolve(existing.relativize(absolute)).normalize();
            } catch (IOException | SecurityException e) {
                if (linksLeft > 0 && Files.isSymbolicLink(existing)) {
                    try {
                        Path target = existing.resolveSibling(Files.readSymbolicLink(existing));
                        return followLinks(target.resolve(existing.relativize(absolute)), linksLeft - 1);
                    } catch (IOException | SecurityException unreadable) {
                        // fall through to the directory above, as for a missing file
                    }
                }
                existing = existing.getParent(); // missing (or unreadable): try the directory above
            }
        }
        return absolute;
    }

    /**
     * The file system's identity of the file at {@code path} (device and inode on Unix), following
     * links; empty when it does not exist or the file system has none. Two hard links share it.
     */
    public static Optional<Object> fileKey(Path path) {
        try {
            return Optional.ofNullable(Files.readAttributes(path, BasicFileAttributes.class).fileKey());
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }
}
