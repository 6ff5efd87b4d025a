package dev.keel.testing;

import dev.keel.replication.Replicator;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.FaultyReplicaClient.Operation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Measures what replication costs in storage requests: a database taking one small write per second
 * is replicated with every setting at its default (Litestream 0.3's: sync and monitor every second,
 * checkpoint every minute, retention check hourly) through a counting wrapper around the real client.
 * Requests made during a warm-up (finding the replica's position, the first snapshot) are not counted.
 */
public final class UploadCost {
    /** Requests counted in the measured window, and the writes made in it. */
    public record Result(Map<Operation, Long> requests, long writes, Duration window) {
        /** Requests of one kind extrapolated to an hour. */
        public double perHour(Operation kind) {
            return requests.get(kind) * 3600.0 / (window.toMillis() / 1000.0);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(writes + " writes in " + window.toSeconds() + " s:");
            for (Operation op : Operation.values()) {
                sb.append(String.format(" %s %d (%.0f/hour)", op, requests.get(op), perHour(op)));
            }
            return sb.toString();
        }
    }

    private UploadCost() {
    }

    /** Replicates {@code db} (created if missing) to {@code storage} while it takes one write per second. */
    public static Result measure(Path db, ReplicaStorage storage, Duration warmUp, Duration window) throws Exception {
        WriterLoad.create(db);
        DatabaseConfig config = DatabaseConfig.of(db, List.of(ReplicaConfig.of(storage)));
        FaultyReplicaClient[] counting = new FaultyReplicaClient[1];
        try (Connection app = WriterLoad.open(db);
             PreparedStatement insert = app.prepareStatement("INSERT INTO events (writer, seq, body) VALUES (0, ?, randomblob(100))");
             Replicator r = EngineOptions.DEFAULT.withClients(c -> counting[0] = new FaultyReplicaClient(ReplicaClients.open(c.storage())))
                     .start(Replicator.configure().databases(List.of(config)))) {
            long seq = 0;
            long next = System.nanoTime();
            long warmUpEnd = next + warmUp.toNanos();
            while (System.nanoTime() < warmUpEnd) {
                insert.setLong(1, seq++);
                insert.executeUpdate();
                next += 1_000_000_000L;
                sleepUntil(next);
            }
            counting[0].resetCounts();
            long writes = 0;
            long end = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < end) {
                insert.setLong(1, seq++);
                insert.executeUpdate();
                writes++;
                next += 1_000_000_000L;
                sleepUntil(Math.min(next, end));
            }
            Map<Operation, Long> requests = new EnumMap<>(Operation.class);
            for (Operation op : Operation.values()) requests.put(op, counting[0].calls(op));
            return new Result(requests, writes, window);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
}
