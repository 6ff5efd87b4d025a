package dev.keel.replication.restore;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a restore did: where it wrote, from which replica (its configured name, and its location as
 * {@code ReplicaClient.describe()} gives it) and generation, the WAL position it reached
 * (just past the last frame replayed), how much it read and wrote, and how long it took.
 */
public record RestoreResult(Path output, String replicaName, String replica, Generation generation, long snapshotIndex, Position position,
                            int walSegments, long frames, long commits, long compressedBytes, long databaseBytes,
                            long pagesWritten, Duration elapsed, Duration integrityCheck) {
}
