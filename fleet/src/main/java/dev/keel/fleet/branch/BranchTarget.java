package dev.keel.fleet.branch;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.fleet.SqliteFile;
import dev.keel.replication.api.Generation;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Decides whether a branch may be created at a path, before anything is copied: never over the
 * source (however it is spelled: symbolic link, hard link, {@code ./}, {@code ..}), never over an
 * existing file or beside a stale {@code -wal}, {@code -shm}, {@code -journal} or sidecar, and never
 * inside a replica or a Keel shadow directory, where Keel or Litestream would take it for theirs.
 */
final class BranchTarget {
    /** How many entries of a {@code generations/} directory are looked at to recognize a replica. */
    private static final int MAX_GENERATIONS_LOOKED_AT = 100;
    private static final List<String> SIDE_SUFFIXES = List.of("-wal", "-shm", "-journal", Sidecar.SUFFIX);

    private BranchTarget() {
    }

    static void check(Path to, BranchSource source) {
        String name = to.getFileName() == null ? "" : to.getFileName().toString();
        if (name.isEmpty() || SqliteFile.isSideFile(name) || name.endsWith(Sidecar.SUFFIX)) {
            throw new KeelException(ErrorCode.USAGE, "a branch cannot be named like SQLite's or Keel's side files"
                    + " (-wal, -shm, -journal, .tmp, " + Sidecar.SUFFIX + ", or starting with '.')", to.toString(),
                    "give --to a database file name such as test.db");
        }
        if (source instanceof BranchSource.Database db) refuseSource(to, db.path());
        if (Files.isDirectory(to)) {
            throw refused("--to is a directory", to, "give the path of the branch database file, e.g. " + to.resolve("test.db"));
        }
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
            throw refused("a file already exists at --to", to, "choose another path, or delete the file if it is an old branch"
                    + " ('keel branch reap' deletes expired ones)");
        }
        for (String suffix : SIDE_SUFFIXES) {
            Path side = to.resolveSibling(name + suffix);
            if (Files.exists(side, LinkOption.NOFOLLOW_LINKS)) {
                throw refused("a stale " + side.getFileName() + " is beside --to"
                        + (suffix.equals(Sidecar.SUFFIX) ? "" : "; SQLite would apply it to the new branch when it is first opened"),
                        side, "move it away or delete it, or choose another path");
            }
        }
        refuseReplicaDirectory(to);
    }

    /** The branch path names the source file itself: by any spelling, link, or hard link. */
    private static void refuseSource(Path to, Path sourceDb) {
        boolean same;
        try {
            same = Files.exists(to) && Files.exists(sourceDb) && Files.isSameFile(to, sourceDb);
            if (!same && Files.exists(sourceDb) && Files.isDirectory(to.getParent() == null ? to : to.getParent())) {
                same = to.getParent().toRealPath().resolve(to.getFileName()).equals(sourceDb.toRealPath());
            }
        } catch (IOException e) {
            same = false;
        }
        if (same) {
            throw refused("--to is the source database", to, "give --to a new path; a branch never replaces its source");
        }
    }

    /**
     * A replica directory (one holding {@code generations/<16 hex>/}) or a Keel shadow directory
     * ({@code .<db>-keel}) at or above the branch's directory.
     */
    private static void refuseReplicaDirectory(Path to) {
        Path dir = existingAncestor(to.getParent());
        for (Path d = dir; d != null; d = d.getParent()) {
            String name = d.getFileName() == null ? "" : d.getFileName().toString();
            if (name.startsWith(".") && name.endsWith("-keel") && name.length() > 6) {
                throw refused("--to is inside Keel's shadow directory " + d, to, "put branches in a directory of their own");
            }
            if (holdsGenerations(d)) {
                throw refused("--to is inside the replica directory " + d
                        + "; the replicator and restore would read it as replica data", to, "put branches outside replicas");
            }
        }
    }

    private static boolean holdsGenerations(Path dir) {
        Path generations = dir.resolve("generations");
        if (!Files.isDirectory(generations, LinkOption.NOFOLLOW_LINKS)) return false;
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(generations)) {
            for (Path e : entries) {
                if (Generation.isValid(e.getFileName().toString()) && Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) return true;
                if (++seen >= MAX_GENERATIONS_LOOKED_AT) return false;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The real path of {@code dir} or of its nearest existing ancestor. */
    private static Path existingAncestor(Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) {
            try {
                if (Files.exists(d)) return d.toRealPath();
            } catch (IOException e) {
                return d;
            }
        }
        return dir;
    }

    private static KeelException refused(String message, Path at, String hint) {
        return new KeelException(ErrorCode.REFUSED, message, at.toString(), hint);
    }
}
