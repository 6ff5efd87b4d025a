package dev.keel.fleet.branch;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A branch: an ordinary SQLite file that is a throwaway copy of another database, with what its
 * sidecar file records about it (when it expires, where it came from, who made it and when).
 *
 * @param path       the branch database
 * @param created    when it was handed over
 * @param expires    when {@code keel branch reap} (or a running daemon) may delete it
 * @param creator    {@code user@host} of whoever created it
 * @param source     the database path or replica it was copied from, secrets hidden
 * @param origin     the moment or replica position of the copy
 * @param scrub      the scrub SQL file run on the copy, or null
 * @param schemaOnly true when only the schema was copied, no rows
 */
public record Branch(Path path, Instant created, Instant expires, String creator, String source, BranchOrigin origin,
                     String scrub, boolean schemaOnly) {
    public Branch {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(origin, "origin");
        creator = creator == null ? "unknown" : creator;
    }

    /** The sidecar file that makes {@code db} a branch: {@code <name>.keel-branch} beside it. */
    public static Path sidecarOf(Path db) {
        return db.resolveSibling(db.getFileName() + Sidecar.SUFFIX);
    }

    public Path sidecar() {
        return sidecarOf(path);
    }

    public boolean expired(Instant now) {
        return !now.isBefore(expires);
    }

    /** Time until expiry; negative once expired. */
    public Duration timeLeft(Instant now) {
        return Duration.between(now, expires);
    }

    public Duration age(Instant now) {
        return Duration.between(created, now);
    }

    /** The same branch with a new expiry. */
    public Branch withExpires(Instant newExpires) {
        return new Branch(path, created, newExpires, creator, source, origin, scrub, schemaOnly);
    }
}
