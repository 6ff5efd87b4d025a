package dev.keel.replication.restore;

import dev.keel.core.DurableFiles;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Builds a follower's copy from the replica's latest snapshot and WAL: a full restore into a file
 * beside the copy, switched to rollback-journal mode, then renamed over the copy in one step. Readers
 * that had the old copy open keep reading the old file (its inode) until they reopen the path.
 */
final class FollowerRebuild {
    private FollowerRebuild() {
    }

    /** The file a copy is built in before it is renamed into place. */
    static Path buildPath(Path output) {
        return output.resolveSibling("." + output.getFileName() + ".keel-follow-new");
    }

    /**
     * Restores into {@link #buildPath}, gives the new copy {@code changeCounter}, runs
     * {@code closeOld} (the old copy's descriptors must be closed before its file is replaced), records
     * the state and renames the new copy over {@code output}.
     */
    static FollowStep.Restored rebuild(ReplicaClient client, String replicaName, Path output, int parallelism,
                                       long changeCounter, String reason, Runnable closeOld) throws IOException {
        Path next = buildPath(output);
        Files.deleteIfExists(next); // a leftover of a follower killed while building
        RestoreResult r;
        try {
            r = Restorer.configure().from(client).output(next).parallelism(parallelism).removeStaleFiles(true).restore();
            FollowerCopy.toRollbackMode(next, changeCounter);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(next);
            throw e;
        }
        boolean replaced = Files.exists(output);
        closeOld.run();
        // Applies leave no journal behind (opening the old copy rolled back any); one now would be
        // rolled back into the new file by its first writable reader.
        RollbackJournal.delete(RollbackJournal.of(output));
        new FollowState(replicaName, r.position(), changeCounter).write(output);
        Files.move(next, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.fsyncDirectory(output.getParent());
        RestoreResult placed = new RestoreResult(output, replicaName, r.replica(), r.generation(), r.snapshotIndex(),
                r.position(), r.walSegments(), r.frames(), r.commits(), r.compressedBytes(), r.databaseBytes(),
                r.pagesWritten(), r.elapsed(), r.integrityCheck());
        return new FollowStep.Restored(placed, reason, replaced);
    }
}
