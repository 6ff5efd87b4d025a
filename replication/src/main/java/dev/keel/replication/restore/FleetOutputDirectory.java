package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The directory a fleet is restored into. A database's relative path (already checked by
 * {@link dev.keel.replication.spi.RelativeReplicaPath}) is placed below it, and the directories on the
 * way are created one by one: an existing link among them may point elsewhere inside the directory,
 * never out of it, so no name in a replica can make Keel write outside the directory.
 */
final class FleetOutputDirectory {
    private final Path root;

    FleetOutputDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /** Where {@code relativePath} is restored (no file system access). */
    Path outputOf(String relativePath) {
        Path out = root.resolve(relativePath).normalize();
        if (!out.startsWith(root) || out.equals(root)) {
            throw new IllegalArgumentException("path escapes the output directory: " + relativePath);
        }
        return out;
    }

    /** Creates the directories {@code output} needs, refusing (REFUSED) a link on the way that leads out. */
    void prepare(Path output) {
        try {
            Files.createDirectories(root);
            Path realRoot = root.toRealPath();
            Path dir = root;
            for (Path part : root.relativize(output.getParent() == null ? root : output.getParent())) {
                if (part.toString().isEmpty()) break;
                dir = dir.resolve(part);
                if (Files.isSymbolicLink(dir)) {
                    refuseOutside(dir, realRoot);
                } else if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        Files.createDirectory(dir);
                    } catch (FileAlreadyExistsException raced) {
                        if (Files.isSymbolicLink(dir)) refuseOutside(dir, realRoot);
                    }
                }
            }
            // Checked again as a whole: a link placed between the steps above is caught here.
            refuseOutside(output.getParent(), realRoot);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot create the database's directory: " + e.getMessage(), output.toString(),
                    "check permissions in " + root + ", and that no file stands where a directory is needed", e);
        }
    }

    private void refuseOutside(Path path, Path realRoot) throws IOException {
        if (!Files.exists(path)) {
            throw new KeelException(ErrorCode.REFUSED, "is a link to a place that does not exist", path.toString(),
                    "remove the link, or restore into another directory");
        }
        if (!path.toRealPath().startsWith(realRoot)) {
            throw new KeelException(ErrorCode.REFUSED, "is (or lies under) a link that leads out of the output directory "
                    + root + "; Keel never writes a restored database outside it", path.toString(),
                    "remove the link, or restore into another directory");
        }
    }
}
