package dev.keel.core.fleet;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * A fleet given as a directory: every SQLite file below {@code root} whose name matches
 * {@code pattern} (a glob on the file name, as Litestream 0.5's {@code pattern:}), optionally in
 * subdirectories. Shared by replication ({@code dir:} entries) and fleet commands.
 *
 * <p>{@link #candidates()} looks at names only and never opens a file: a replicator must not open and
 * close a database it follows (closing any descriptor on it drops SQLite's POSIX locks), so it checks
 * {@link SqliteFile#looksLikeDatabase} only for candidates it does not follow yet.
 */
public record DatabaseDirectory(Path root, String pattern, boolean recursive) {
    public static final String DEFAULT_PATTERN = "*.db";
    /** Bounds one scan, so a mistaken {@code dir: /} cannot walk a whole disk. */
    public static final int MAX_ENTRIES = 1_000_000;
    public static final int MAX_DEPTH = 64;
    private static final int MAX_PATTERN_LENGTH = 256;

    public DatabaseDirectory {
        Objects.requireNonNull(root, "root");
        pattern = pattern == null || pattern.isEmpty() ? DEFAULT_PATTERN : pattern;
        checkPattern(pattern);
    }

    public static DatabaseDirectory of(Path root) {
        return new DatabaseDirectory(root, DEFAULT_PATTERN, false);
    }

    /** Refuses a pattern that is not a glob on a file name (it may not hold a path separator). */
    public static void checkPattern(String pattern) {
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            throw bad("pattern is longer than " + MAX_PATTERN_LENGTH + " characters", pattern);
        }
        if (pattern.indexOf('/') >= 0 || pattern.indexOf('\\') >= 0 || pattern.indexOf('\0') >= 0) {
            throw bad("pattern '" + pattern + "' holds a path separator; it matches file names only",
                    pattern);
        }
        try {
            FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        } catch (IllegalArgumentException e) { // PatternSyntaxException among them
            throw bad("pattern '" + pattern + "' is not a valid glob: " + e.getMessage(), pattern);
        }
    }

    private static KeelException bad(String message, String pattern) {
        return new KeelException(ErrorCode.BAD_INPUT, message, "pattern",
                "give a glob on database file names, such as '*.db' or 'tenant-*.sqlite'; use recursive for subdirectories");
    }

    /** Does this file name match the pattern, and is it not one of SQLite's or Keel's side files? */
    public boolean matchesName(String fileName) {
        if (SqliteFile.isSideFile(fileName)) return false;
        return matcher().matches(Path.of(fileName));
    }

    private PathMatcher matcher() {
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    }

    /**
     * Regular files below the root whose names match, sorted by relative path; symbolic links to
     * directories are not followed (no loops, no escape from the root), hidden directories (Keel's and
     * Litestream's meta directories among them) are skipped.
     *
     * @throws KeelException NOT_FOUND when the root is missing or not a directory; IO when it cannot be read;
     *     BAD_INPUT when the tree exceeds {@link #MAX_ENTRIES}
     */
    public List<Path> candidates() {
        if (!Files.isDirectory(root)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "directory does not exist or is not a directory",
                    root.toString(), "check the dir given for the fleet");
        }
        PathMatcher matcher = matcher();
        List<Path> found = new ArrayList<>();
        Deque<Path> pending = new ArrayDeque<>();
        pending.add(root);
        int seen = 0;
        while (!pending.isEmpty()) {
            Path directory = pending.poll();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path entry : entries) {
                    if (++seen > MAX_ENTRIES) {
                        throw new KeelException(ErrorCode.BAD_INPUT,
                                "more than " + MAX_ENTRIES + " entries below the fleet directory",
                                root.toString(), "point dir at the directory that holds the databases");
                    }
                    String name = entry.getFileName().toString();
                    // Only a directory to descend into or a file the pattern names needs a stat: a fleet's
                    // directory holds three or four entries per database (-wal, -shm, state directories).
                    boolean descend = recursive && !name.startsWith(".");
                    boolean named = !SqliteFile.isSideFile(name) && matcher.matches(entry.getFileName());
                    if (!descend && !named) continue;
                    BasicFileAttributes attributes;
                    try {
                        attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (NoSuchFileException gone) {
                        continue; // deleted while listed
                    }
                    if (attributes.isDirectory()) {
                        if (descend && root.relativize(entry).getNameCount() < MAX_DEPTH) {
                            pending.add(entry);
                        }
                    } else if (named && isRegularFile(entry, attributes)) {
                        found.add(entry);
                    }
                }
            } catch (NoSuchFileException gone) {
                if (directory.equals(root)) {
                    throw new KeelException(ErrorCode.NOT_FOUND, "directory disappeared while it was read",
                            root.toString(), "check the dir given for the fleet");
                }
            } catch (IOException e) {
                throw new KeelException(ErrorCode.IO, "cannot read directory: " + e.getMessage(),
                        directory.toString(), "check its permissions", e);
            }
        }
        // Each name computed once: building it inside the comparison cost more than the walk for large trees.
        java.util.Map<Path, String> names = new java.util.HashMap<>(found.size() * 2);
        for (Path p : found) names.put(p, relativeName(p));
        found.sort(java.util.Comparator.comparing(names::get));
        return found;
    }

    /** A symbolic link to a regular file counts as a database file (people link databases in). */
    private static boolean isRegularFile(Path entry, BasicFileAttributes attributes) {
        if (attributes.isRegularFile()) return true;
        return attributes.isSymbolicLink() && Files.isRegularFile(entry);
    }

    /** The candidates that are SQLite databases now (opens each one: not for databases already followed). */
    public List<Path> databases() {
        return candidates().stream().filter(SqliteFile::looksLikeDatabase).toList();
    }

    /** The path below the root with '/' separators, as appended to replica URLs and shown to users. */
    public String relativeName(Path database) {
        Path relative = root.relativize(database);
        StringBuilder out = new StringBuilder();
        for (Path part : relative) {
            if (out.length() > 0) out.append('/');
            out.append(part);
        }
        return out.toString();
    }
}
