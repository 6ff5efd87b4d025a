package dev.keel.fleet.branch;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.restore.RestoreResult;
import dev.keel.replication.restore.Restorer;
import dev.keel.schema.source.SchemaSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Branches: throwaway copies of a database, each with an expiry recorded in a sidecar file beside it.
 * A branch is built under a temp name beside its path, scrubbed, fsynced, and only then renamed into
 * place, so a path holds either nothing or a finished branch.
 *
 * <pre>{@code
 * Branch b = Branches.create(BranchSpec.from(BranchSource.database(Path.of("app.db")))
 *         .to(Path.of("branches/test.db")).ttl(Duration.ofHours(72)).build());
 * BranchListing l = Branches.list(Path.of("branches"));
 * ReapReport r = Branches.reap(Path.of("branches"), false);
 * }</pre>
 */
public final class Branches {
    private Branches() {
    }

    /** Creates the branch {@code spec} describes and returns it; nothing is left at {@code spec.to()} on failure. */
    public static Branch create(BranchSpec spec) {
        Path to = spec.to().toAbsolutePath().normalize();
        BranchTarget.check(to, spec.source());
        SchemaSource scrub = spec.scrub() == null ? null : Scrub.read(spec.scrub());
        Path dir = to.getParent();
        Path temp = dir.resolve("." + to.getFileName() + ".keel-branch-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean done = false;
        try {
            Files.createDirectories(dir);
            BranchOrigin origin = copy(spec, temp);
            if (scrub != null) Scrub.run(scrub, temp);
            removeEmptyCompanions(temp);
            fsync(temp);
            Instant created = Instant.now();
            Branch branch = new Branch(to, created, created.plus(spec.ttl()), spec.creator() == null ? Creator.current() : spec.creator(),
                    spec.source().describe(), origin, spec.scrub() == null ? null : spec.scrub().toString(), spec.schemaOnly());
            Sidecar.write(branch); // first: a crash before the rename leaves a sidecar that reap forgets, never an unmarked copy
            try {
                Restorer.moveIntoPlace(temp, to);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(branch.sidecar());
                throw e;
            }
            done = true;
            return branch;
        } catch (KeelException e) {
            if (e.code() == ErrorCode.REFUSED && e.subject() != null && e.subject().equals(to.toString())) {
                throw new KeelException(ErrorCode.REFUSED, "a file appeared at --to while the branch was being built", to.toString(),
                        "choose another path; nothing was changed", e);
            }
            throw e;
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot write the branch: " + e.getMessage(), to.toString(),
                    "check free space and permissions in " + dir, e);
        } finally {
            if (!done) deleteQuietly(temp);
        }
    }

    /** The branches in {@code dir} now. */
    public static BranchListing list(Path dir) {
        return list(dir, Instant.now());
    }

    /** The branches in {@code dir}, with expiry judged at {@code now}. */
    public static BranchListing list(Path dir, Instant now) {
        return BranchDirectory.list(dir, now);
    }

    /** Moves the expiry of the branch {@code db} to {@code ttl} from now; NOT_FOUND when {@code db} is not a branch. */
    public static Branch extend(Path db, Duration ttl) {
        BranchSpec.checkTtl(ttl);
        Path path = db.toAbsolutePath().normalize();
        Path sidecar = Branch.sidecarOf(path);
        if (!Files.exists(sidecar, LinkOption.NOFOLLOW_LINKS)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "not a branch: no " + sidecar.getFileName() + " beside it", path.toString(),
                    "only databases made by 'keel branch create' have an expiry; list them with 'keel branch list'");
        }
        try {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new KeelException(ErrorCode.NOT_FOUND, "the branch database is gone (its sidecar remains)", path.toString(),
                        "'keel branch reap' forgets the sidecar");
            }
            Branch extended = Sidecar.read(sidecar, path).withExpires(Instant.now().plus(ttl));
            Sidecar.write(extended);
            return extended;
        } catch (Sidecar.Malformed e) {
            throw new KeelException(ErrorCode.BAD_INPUT, "the sidecar " + e.getMessage(), sidecar.toString(),
                    "fix or delete the sidecar file; without it the database is no longer a branch");
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot update the sidecar: " + e.getMessage(), sidecar.toString(),
                    "check the directory's permissions", e);
        }
    }

    /** How long a temp file of an interrupted creation is left alone before reap deletes it. */
    public static final Duration LEFTOVER_GRACE = Duration.ofHours(1);

    /** Deletes the expired branches of {@code dir} (or, with {@code dryRun}, only says which). */
    public static ReapReport reap(Path dir, boolean dryRun) {
        return reap(dir, Instant.now(), dryRun);
    }

    /** As {@link #reap(Path, boolean)}, with expiry judged at {@code now}. */
    public static ReapReport reap(Path dir, Instant now, boolean dryRun) {
        return BranchDirectory.reap(dir, now, dryRun);
    }

    private static BranchOrigin copy(BranchSpec spec, Path temp) throws IOException {
        if (spec.source() instanceof BranchSource.Database db) {
            Path source = db.path().toAbsolutePath();
            return spec.schemaOnly() ? SchemaCopy.copy(source, temp) : LiveCopy.copy(source, temp, spec.readFilesDirectly());
        }
        BranchSource.Replicas replicas = (BranchSource.Replicas) spec.source();
        if (!spec.schemaOnly()) return restore(replicas, temp);
        // A replica holds pages, not a schema: restore the whole database beside the branch, then take its schema.
        Path full = temp.resolveSibling(temp.getFileName() + "-full");
        try {
            BranchOrigin.Replica at = restore(replicas, full);
            SchemaCopy.copy(full, temp);
            return at;
        } finally {
            deleteQuietly(full);
        }
    }

    /** {@code keel restore}'s choice and restore, to {@code out}: the same planner, checks and integrity_check. */
    private static BranchOrigin.Replica restore(BranchSource.Replicas source, Path out) {
        RestoreResult r = Restorer.configure().replicas(source.describe(), source.candidates())
                .target(source.target()).output(out).restore();
        return new BranchOrigin.Replica(source.target().toString(), r.snapshotIndex(), r.position());
    }

    /** The scrub's or copy's -wal and -shm, empty once SQLite checkpointed and closed: they must not travel with the rename. */
    private static void removeEmptyCompanions(Path db) throws IOException {
        for (String suffix : List.of("-wal", "-shm", "-journal")) {
            Path side = db.resolveSibling(db.getFileName() + suffix);
            if (!Files.exists(side, LinkOption.NOFOLLOW_LINKS)) continue;
            if (suffix.equals("-wal") && Files.size(side) > 0) {
                throw new IOException("the copy's WAL was not checkpointed (" + Files.size(side) + " bytes remain)");
            }
            Files.delete(side);
        }
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void deleteQuietly(Path db) {
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            try {
                Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
            } catch (IOException ignored) {
                // best effort: temp names are random and start with '.', and list/reap never take them for branches
            }
        }
    }
}
