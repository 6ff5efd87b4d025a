package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a follower starts on an output path: build a new copy where nothing is, resume a copy a
 * follower made (its state file beside it, rollback-journal mode), and refuse anything else: a
 * database that is not a follower's copy is never touched.
 */
final class FollowerStart {
    private FollowerStart() {
    }

    sealed interface Decision {
        record Fresh() implements Decision {
        }

        record Resume(FollowState state) implements Decision {
        }
    }

    static Decision decide(Path output, boolean removeStaleFiles) throws IOException {
        if (!Files.exists(output, LinkOption.NOFOLLOW_LINKS)) {
            Restorer.refuseExisting(output); // a link to a missing file
            // A -journal (or -wal) beside the new copy would be applied to it by the first reader.
            StaleFiles.removeOrRefuse(output, removeStaleFiles);
            return new Decision.Fresh();
        }
        if (!Files.isRegularFile(output, LinkOption.NOFOLLOW_LINKS)) {
            throw refuse(output, "the output path exists and is not a regular file");
        }
        for (String suffix : new String[] {"-wal", "-shm"}) {
            if (Files.exists(output.resolveSibling(output.getFileName() + suffix), LinkOption.NOFOLLOW_LINKS)) {
                throw refuse(output, "the output path is a database in WAL mode (its " + suffix + " file is beside it),"
                        + " not a follower's copy");
            }
        }
        Optional<FollowState> state = FollowState.read(output);
        if (state.isEmpty()) {
            throw refuse(output, "the output file exists and is not a follower's copy (no "
                    + FollowState.pathFor(output).getFileName() + " beside it)");
        }
        if (!rollbackMode(output)) {
            throw refuse(output, "the output file is not in rollback-journal mode, so it is not a follower's copy");
        }
        return new Decision.Resume(state.get());
    }

    private static boolean rollbackMode(Path output) throws IOException {
        byte[] head = new byte[100];
        try (InputStream in = Files.newInputStream(output)) {
            if (in.readNBytes(head, 0, head.length) < head.length) return false;
        }
        return new String(head, 0, 15, java.nio.charset.StandardCharsets.ISO_8859_1).equals("SQLite format 3")
                && head[18] == 1 && head[19] == 1;
    }

    private static KeelException refuse(Path output, String why) {
        return new KeelException(ErrorCode.REFUSED, "cannot follow: " + why, output.toString(),
                "follow into a new path with -o; a database that is not a follower's copy is never changed");
    }
}
