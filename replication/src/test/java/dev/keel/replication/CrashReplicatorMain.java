package dev.keel.replication;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The replicator as a separate process, for crash tests: {@code run DB REPLICA MIN_PAGES} replicates with
 * short intervals until killed; {@code final DB REPLICA MIN_PAGES} syncs once, closes and exits 0.
 */
public final class CrashReplicatorMain {
    private CrashReplicatorMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path db = Path.of(args[1]);
        Path replica = Path.of(args[2]);
        int minPages = Integer.parseInt(args[3]);
        DatabaseConfig config = new DatabaseConfig(db, null, Duration.ofMillis(20), Duration.ofSeconds(2), minPages, minPages * 4,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica), Duration.ofMillis(50), null, null, null, null)));
        if (mode.equals("final")) {
            try (Replicator r = Replicator.configure().databases(List.of(config)).backgroundLoops(false).start()) {
                r.sync();
            }
            System.out.println("final sync done");
            return;
        }
        Replicator r = Replicator.configure().databases(List.of(config)).start();
        System.out.println("started");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        r.close();
    }
}
