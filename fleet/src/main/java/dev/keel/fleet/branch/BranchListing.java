package dev.keel.fleet.branch;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The branches of one directory as seen at {@code now}.
 *
 * @param branches branches whose database is present, oldest expiry first
 * @param orphans  sidecars whose database is gone (deleted by hand); {@code reap} forgets them
 * @param problems sidecars that could not be read, each with what is wrong; their databases are left alone
 */
public record BranchListing(Path directory, Instant now, List<Branch> branches, List<Branch> orphans, List<Problem> problems) {
    public BranchListing {
        branches = List.copyOf(branches);
        orphans = List.copyOf(orphans);
        problems = List.copyOf(problems);
    }

    /** A file Keel could not understand or delete, and why. */
    public record Problem(Path file, String message) {
        @Override
        public String toString() {
            return file + ": " + message;
        }
    }

    public List<Branch> expired() {
        return branches.stream().filter(b -> b.expired(now)).toList();
    }
}
