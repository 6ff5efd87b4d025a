package dev.keel.cli.replicate;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.ReplicaConfig;
import java.util.ArrayList;
import java.util.List;

/** {@code keel replicate -takeover}: every replica of the run takes its lease even from a live holder. */
final class Takeover {
    private Takeover() {
    }

    static List<DatabaseConfig> databases(List<DatabaseConfig> databases) {
        List<DatabaseConfig> out = new ArrayList<>();
        for (DatabaseConfig d : databases) out.add(database(d));
        return out;
    }

    static List<DirectoryConfig> directories(List<DirectoryConfig> directories) {
        List<DirectoryConfig> out = new ArrayList<>();
        for (DirectoryConfig d : directories) out.add(new DirectoryConfig(d.directory(), database(d.template()), d.watch()));
        return out;
    }

    private static DatabaseConfig database(DatabaseConfig d) {
        List<ReplicaConfig> replicas = new ArrayList<>();
        for (ReplicaConfig r : d.replicas()) replicas.add(r.withLease(r.lease().withTakeover(true)));
        return new DatabaseConfig(d.path(), d.metaPath(), d.monitorInterval(), d.checkpointInterval(),
                d.minCheckpointPageCount(), d.maxCheckpointPageCount(), replicas, d.maxShadowBacklog());
    }
}
