package dev.keel.bench.storage.soak;

import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Measures how long after the storage server's return the replica is current again: from that moment,
 * it restores the replica in this process every {@value #POLL_MS} ms until the restored database holds
 * every row committed before the return. A restore is the truth a user gets, where a listing would only
 * say that objects with the right names exist.
 */
final class CatchUp {
    static final long POLL_MS = 100;
    private static final Duration GIVE_UP = Duration.ofSeconds(90);

    private CatchUp() {
    }

    /** Starts polling now; completes with the time it took, or null when it gave up after 90 s. */
    static CompletableFuture<Duration> measure(ReplicaStorage storage, long rowsAtReturn, Path scratch) {
        long start = System.nanoTime();
        return CompletableFuture.supplyAsync(() -> {
            try (ReplicaClient client = ReplicaClients.open(storage)) {
                int attempt = 0;
                while (System.nanoTime() - start < GIVE_UP.toNanos()) {
                    Path out = scratch.resolve("catch-up-" + attempt++ + ".db");
                    try {
                        Restorer.configure().from(client).output(out).integrityCheck(false).restore();
                        if (Writer.contiguousRows(out) >= rowsAtReturn) return Duration.ofNanos(System.nanoTime() - start);
                    } catch (Exception notYet) {
                        // nothing restorable yet, or the server is still starting
                    } finally {
                        Files.deleteIfExists(out);
                    }
                    Thread.sleep(POLL_MS);
                }
                return null;
            } catch (Exception e) {
                throw new IllegalStateException("catch-up measurement failed: " + e, e);
            }
        });
    }
}
