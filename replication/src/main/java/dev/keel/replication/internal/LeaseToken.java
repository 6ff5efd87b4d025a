package dev.keel.replication.internal;

import dev.keel.replication.spi.LeaseHolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The token a database's replicator holds a replica's lease with, kept in the database's local state
 * ({@code <meta>/replicas/<name>.lease}) so that a restart finds its own lease as its own: a run killed
 * with SIGKILL, or stopped while the storage was unreachable (so it could not release), is continued by
 * the next run at once, in the same generation. Only a replicator of this database can be that next run:
 * the local state is locked by one process per host, and a replicator elsewhere has other local state.
 */
final class LeaseToken {
    private LeaseToken() {
    }

    /** The stored token, or a new one stored for the next run (a failure to store it costs only that). */
    static String of(Path metaDir, String replicaName) {
        Path file = metaDir.resolve("replicas").resolve(AcknowledgedPosition.fileName(replicaName) + ".lease");
        try {
            String stored = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (stored.matches("[0-9a-f]{32}")) return stored;
        } catch (NoSuchFileException e) {
            // first run with a lease
        } catch (IOException e) {
            // unreadable: a new token (the previous run's lease is then another's and expires)
        }
        String token = LeaseHolder.newToken();
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, token + "\n", StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the next run takes a new token
        }
        return token;
    }
}
