package dev.keel.replication.restore;

import dev.keel.core.DurableFiles;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files SQLite pairs with a database by name: {@code -wal}, {@code -shm} and {@code -journal}.
 * Left behind at a restore's output path (after {@code rm app.db}, say), the first connection to open
 * the restored file would apply a stale WAL or roll back a stale journal into it, silently, with
 * another state's or another database's pages. A restore refuses them or, when asked, removes them
 * just before the restored file is moved into place.
 */
final class StaleFiles {
    static final List<String> SUFFIXES = List.of("-wal", "-shm", "-journal");
    static final String FLAG = "--remove-stale-files";

    private StaleFiles() {
    }

    /** The companion files present beside {@code output} (links included, never followed). */
    static List<Path> present(Path output) {
        List<Path> found = new ArrayList<>();
        for (String suffix : SUFFIXES) {
            Path p = output.resolveSibling(output.getFileName() + suffix);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) found.add(p);
        }
        return found;
    }

    /** Refuses (REFUSED, exit 3) when a companion file exists at {@code output}. */
    static void refuse(Path output) {
        List<Path> found = present(output);
        if (found.isEmpty()) return;
        throw new KeelException(ErrorCode.REFUSED, "cannot restore: a stale " + names(found)
                + " from an earlier database is at the output path; SQLite would apply it to the restored database",
                found.get(0).toString(), "move it away or delete it, or pass " + FLAG + " to have the restore remove it");
    }

    /**
     * Removes the companion files when {@code remove}, else refuses them; the removal is made durable
     * (directory fsync) before the caller puts the new database in place, so a crash cannot leave the
     * new database beside an old WAL.
     */
    static void removeOrRefuse(Path output, boolean remove) throws IOException {
        if (!remove) {
            refuse(output);
            return;
        }
        List<Path> found = present(output);
        if (found.isEmpty()) return;
        for (Path p : found) Files.deleteIfExists(p);
        DurableFiles.fsyncDirectory(output.getParent());
    }

    private static String names(List<Path> found) {
        return String.join(", ", found.stream().map(p -> p.getFileName().toString()).toList());
    }
}
