package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a replica stood when the storage last acknowledged a write, kept in Keel's local state
 * ({@code <meta>/replicas/<name>}) so a restarted replicator knows it without listing the replica. It is
 * a hint, never the truth: a replica whose record equals the shadow WAL's end has nothing to upload and
 * costs no request; before the first upload the replica is listed as before. Not fsynced: a record lost
 * or behind after a crash only costs that listing.
 */
final class AcknowledgedPosition {
    private final Path file;

    AcknowledgedPosition(Path metaDir, String replicaName) {
        this.file = metaDir.resolve("replicas").resolve(fileName(replicaName));
    }

    /** The recorded position, or null when there is none or it cannot be read. */
    Position read() {
        try {
            String[] f = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
            if (f.length != 3 || !Generation.isValid(f[0])) return null;
            return new Position(new Generation(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // a torn or foreign file: list the replica instead
        }
    }

    /** Records {@code at}, or removes the record when null. */
    void write(Position at) throws IOException {
        if (at == null) {
            Files.deleteIfExists(file);
            return;
        }
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, at.generation().id() + " " + at.index() + " " + at.offset() + "\n", StandardCharsets.US_ASCII);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Replica names are the config's; anything but [A-Za-z0-9._-] is hex-escaped so a name is one file name. */
    static String fileName(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || (c == '.' && out.length() > 0);
            out.append(plain ? String.valueOf(c) : String.format("%%%02x", b & 0xff));
        }
        return out.length() == 0 ? "%" : out.toString();
    }
}
