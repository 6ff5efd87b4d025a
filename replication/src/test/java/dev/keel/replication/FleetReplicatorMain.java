package dev.keel.replication;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A replicator following a fleet as a separate process, for the fleet crash test: {@code run DIR N}
 * replicates {@code DIR/db-<i>.db} to {@code DIR/replica-<i>} with short intervals until killed;
 * {@code final DIR N} syncs once, closes and exits 0. An optional fourth argument holds at most that many
 * databases open at once (the others parked), so parking and taking back happen all the time.
 */
public final class FleetReplicatorMain {
    private FleetReplicatorMain() {
    }

    static Path db(Path dir, int i) {
        return dir.resolve("db-" + i + ".db");
    }

    static Path replica(Path dir, int i) {
        return dir.resolve("replica-" + i);
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path dir = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        EngineOptions engine = EngineOptions.DEFAULT.withHeldBudget(args.length > 3 ? Integer.parseInt(args[3]) : 0);
        List<DatabaseConfig> configs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            configs.add(new DatabaseConfig(db(dir, i), null, Duration.ofMillis(50), Duration.ofSeconds(1), 40, 160,
                    List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica(dir, i)), Duration.ofMillis(50),
                            null, null, null, null))));
        }
        if (mode.equals("final")) {
            try (Replicator r = engine.start(Replicator.configure().databases(configs).backgroundLoops(false))) {
                r.sync();
            }
            System.out.println("final sync done");
            return;
        }
        Replicator r = engine.start(Replicator.configure().databases(configs));
        System.out.println("started");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        r.close();
    }
}
