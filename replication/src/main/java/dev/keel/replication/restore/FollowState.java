package dev.keel.replication.restore;

import dev.keel.core.DurableFiles;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * What a follower's copy holds, kept beside it in {@code .<name>.keel-follow}: the replica it
 * follows, the WAL position its content has reached, and the file change counter (header offset 24)
 * the copy had at that position. A follower restarted after a crash trusts the position only when the
 * copy's counter, after SQLite rolled back any interrupted apply, is the one recorded; otherwise it
 * restores the copy again.
 */
record FollowState(String replica, Position position, long changeCounter) {
    private static final long MAX_BYTES = 4096;

    /** The state file of the follower's copy at {@code output}. */
    static Path pathFor(Path output) {
        return output.resolveSibling("." + output.getFileName() + ".keel-follow");
    }

    /** The state beside {@code output}, or empty when there is none or it cannot be understood. */
    static Optional<FollowState> read(Path output) throws IOException {
        Path file = pathFor(output);
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) return Optional.empty();
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Properties p = new Properties();
        p.load(new java.io.StringReader(new String(bytes, StandardCharsets.UTF_8)));
        try {
            Position position = new Position(Generation.parse(p.getProperty("generation")),
                    Long.parseLong(p.getProperty("index"), 16), Long.parseLong(p.getProperty("offset"), 16));
            return Optional.of(new FollowState(p.getProperty("replica", ""), position,
                    Long.parseLong(p.getProperty("change-counter"))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes the state durably (temp file, fsync, rename, directory fsync): after a rebuild, when the
     * copy's file changes.
     */
    void write(Path output) throws IOException {
        Path file = pathFor(output);
        DurableFiles.replace(file, file.resolveSibling(file.getFileName() + ".tmp"),
                out -> out.write(text().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Writes the state with a rename but without fsync: after each apply. A crash of the process
     * leaves the old file or the new one; only a power cut can lose the rename, and then the recorded
     * change counter no longer matches the copy's, so the follower rebuilds the copy rather than
     * trust the position. Two fsyncs fewer per apply.
     */
    void writeFast(Path output) throws IOException {
        Path file = pathFor(output);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, text().getBytes(StandardCharsets.UTF_8));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private String text() {
        return "# Keel follower state: the position of the copy beside this file. Do not edit.\n"
                + "replica=" + replica.replace("\n", " ") + "\n"
                + "generation=" + position.generation() + "\n"
                + "index=" + String.format("%08x", position.index()) + "\n"
                + "offset=" + String.format("%08x", position.offset()) + "\n"
                + "change-counter=" + changeCounter + "\n";
    }
}
