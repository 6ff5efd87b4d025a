package dev.keel.replication;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A replicator as a separate process holding its replica's lease ({@code DB REPLICA TTL_MS}), until killed. */
public final class LeaseReplicatorMain {
    private LeaseReplicatorMain() {
    }

    public static void main(String[] args) throws Exception {
        Replicator r = Replicator.configure().databases(List.of(LeaseTest.config(Path.of(args[0]), Path.of(args[1]),
                Duration.ofMillis(Long.parseLong(args[2])), false))).start();
        System.out.println("started");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        r.close();
    }

}
