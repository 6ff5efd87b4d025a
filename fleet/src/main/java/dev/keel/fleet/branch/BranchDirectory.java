package dev.keel.fleet.branch;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds the branches of one directory by their sidecars (not recursively) and deletes expired ones.
 * Only files named after a sidecar's branch are ever deleted, and a symbolic link is deleted as the
 * link itself: nothing outside the directory is reached.
 */
final class BranchDirectory {
    /**
     * A sidecar without its database is forgotten only once it is this old: {@link Branches#create}
     * writes the sidecar just before it moves the database into place.
     */
    static final Duration ORPHAN_GRACE = Duration.ofMinutes(1);
    /** Files SQLite and Keel keep beside a database, deleted with it. */
    private static final List<String> SIDE_SUFFIXES = List.of("-wal", "-shm", "-journal");
    /** The temp file {@link Branches#create} builds a branch in, and SQLite's files beside it. */
    private static final Pattern LEFTOVER = Pattern.compile("\\..+\\.keel-branch-[0-9a-f]{16}\\.tmp(-wal|-shm|-journal)?");

    private BranchDirectory() {
    }

    static BranchListing list(Path dir, Instant now) {
        if (!Files.exists(dir)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "the branch directory does not exist", dir.toString(),
                    "give --dir the directory the branches were created in");
        }
        if (!Files.isDirectory(dir)) {
            throw new KeelException(ErrorCode.BAD_INPUT, "not a directory", dir.toString(), "give --dir a directory");
        }
        List<Branch> branches = new ArrayList<>();
        List<Branch> orphans = new ArrayList<>();
        List<BranchListing.Problem> problems = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> isSidecarName(p.getFileName().toString()))) {
            for (Path sidecar : entries) {
                String name = sidecar.getFileName().toString();
                Path db = dir.resolve(name.substring(0, name.length() - Sidecar.SUFFIX.length()));
                try {
                    Branch b = Sidecar.read(sidecar, db);
                    (Files.exists(db, LinkOption.NOFOLLOW_LINKS) ? branches : orphans).add(b);
                } catch (Sidecar.Malformed e) {
                    problems.add(new BranchListing.Problem(sidecar, "sidecar " + e.getMessage() + "; its database is left alone"));
                } catch (IOException e) {
                    problems.add(new BranchListing.Problem(sidecar, "cannot read the sidecar: " + e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot list the branch directory: " + e.getMessage(), dir.toString(),
                    "check its permissions", e);
        }
        branches.sort(Comparator.comparing(Branch::expires).thenComparing(b -> b.path().toString()));
        orphans.sort(Comparator.comparing(b -> b.path().toString()));
        return new BranchListing(dir, now, branches, orphans, problems);
    }

    /** Sidecars Keel wrote; its temp files start with '.', and a bare ".keel-branch" names no database. */
    private static boolean isSidecarName(String name) {
        return name.endsWith(Sidecar.SUFFIX) && name.length() > Sidecar.SUFFIX.length() && !name.startsWith(".");
    }

    static ReapReport reap(Path dir, Instant now, boolean dryRun) {
        BranchListing listing = list(dir, now);
        List<ReapReport.Reaped> reaped = new ArrayList<>();
        List<Branch> forgotten = new ArrayList<>();
        List<Branch> kept = new ArrayList<>();
        List<BranchListing.Problem> problems = new ArrayList<>(listing.problems());
        for (Branch b : listing.branches()) {
            if (!b.expired(now) || extendedMeanwhile(b, now)) {
                kept.add(b);
                continue;
            }
            List<Path> files = new ArrayList<>();
            for (Path f : filesOf(b)) {
                if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) continue;
                try {
                    if (!dryRun) delete(f);
                    files.add(f);
                } catch (IOException e) {
                    // the sidecar stays, so the next reap tries again
                    problems.add(new BranchListing.Problem(f, "cannot delete: " + e.getMessage()));
                    break;
                }
            }
            reaped.add(new ReapReport.Reaped(b, files));
        }
        for (Branch b : listing.orphans()) {
            if (!b.expired(now) && b.age(now).compareTo(ORPHAN_GRACE) < 0) continue;
            try {
                if (!dryRun) Files.deleteIfExists(b.sidecar());
                forgotten.add(b);
            } catch (IOException e) {
                problems.add(new BranchListing.Problem(b.sidecar(), "cannot delete: " + e.getMessage()));
            }
        }
        List<Path> leftovers = leftovers(dir, now, dryRun, problems);
        return new ReapReport(dir, dryRun, reaped, forgotten, kept, problems, leftovers);
    }

    /**
     * The temp files of creations that never finished ({@code .NAME.keel-branch-HEX.tmp} and SQLite's
     * files beside it), deleted once none was modified for {@link Branches#LEFTOVER_GRACE}: a creation
     * in progress writes its copy continuously, so one that old was interrupted.
     */
    private static List<Path> leftovers(Path dir, Instant now, boolean dryRun, List<BranchListing.Problem> problems) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> LEFTOVER.matcher(p.getFileName().toString()).matches())) {
            for (Path f : entries) {
                BasicFileAttributes attrs = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!attrs.isRegularFile() || attrs.lastModifiedTime().toInstant().plus(Branches.LEFTOVER_GRACE).isAfter(now)) continue;
                try {
                    if (!dryRun) Files.deleteIfExists(f);
                    found.add(f);
                } catch (IOException e) {
                    problems.add(new BranchListing.Problem(f, "cannot delete: " + e.getMessage()));
                }
            }
        } catch (IOException e) {
            problems.add(new BranchListing.Problem(dir, "cannot look for leftover temp files: " + e.getMessage()));
        }
        found.sort(null);
        return found;
    }

    /** The sidecar read again just before deleting: {@code keel branch extend} may have run since the listing. */
    private static boolean extendedMeanwhile(Branch b, Instant now) {
        try {
            return !Sidecar.read(b.sidecar(), b.path()).expired(now);
        } catch (Sidecar.Malformed | IOException e) {
            return true; // changed into something unreadable: leave it for the next listing to report
        }
    }

    /** What a branch consists of, deleted in this order: the sidecar last, so an interrupted reap is retried. */
    static List<Path> filesOf(Branch b) {
        Path db = b.path();
        String name = db.getFileName().toString();
        List<Path> files = new ArrayList<>();
        for (String suffix : SIDE_SUFFIXES) files.add(db.resolveSibling(name + suffix));
        files.add(db.resolveSibling("." + name + "-keel")); // Keel's shadow WAL, if someone replicated the branch
        files.add(db);
        files.add(b.sidecar());
        return files;
    }

    /** Deletes a file, a link (never what it points to), or a directory tree without following links in it. */
    private static void delete(Path f) throws IOException {
        if (!Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(f);
            return;
        }
        Files.walkFileTree(f, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
