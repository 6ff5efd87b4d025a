package dev.keel.fleet.branch;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Branches#reap} did in one directory (or, with {@code dryRun}, would do).
 *
 * @param reaped    expired branches deleted, each with the files removed
 * @param forgotten sidecars of databases already gone, removed quietly
 * @param kept      branches not yet expired
 * @param problems  sidecars that could not be read and files that could not be deleted
 * @param leftovers temp files of branch creations that were interrupted (a crash, a kill), deleted once
 *                  nobody has written them for {@link Branches#LEFTOVER_GRACE}
 */
public record ReapReport(Path directory, boolean dryRun, List<Reaped> reaped, List<Branch> forgotten, List<Branch> kept,
                         List<BranchListing.Problem> problems, List<Path> leftovers) {
    public ReapReport {
        leftovers = List.copyOf(leftovers);
        reaped = List.copyOf(reaped);
        forgotten = List.copyOf(forgotten);
        kept = List.copyOf(kept);
        problems = List.copyOf(problems);
    }

    /** One expired branch and the files deleted with it (the database, -wal, -shm, -journal, shadow directory, sidecar). */
    public record Reaped(Branch branch, List<Path> files) {
        public Reaped {
            files = List.copyOf(files);
        }
    }
}
