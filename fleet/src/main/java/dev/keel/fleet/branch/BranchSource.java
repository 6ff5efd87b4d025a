package dev.keel.fleet.branch;

import dev.keel.core.Redactor;
import dev.keel.replication.restore.ReplicaChoice;
import dev.keel.replication.restore.RestoreTarget;
import dev.keel.replication.spi.ReplicaClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** What a branch is copied from: a live database file, or a database's replicas at a point in time. */
public sealed interface BranchSource {
    /** The source as the sidecar and messages name it, secrets hidden. */
    String describe();

    /** A live database; copied without blocking its writers when it is in WAL mode. */
    static BranchSource database(Path db) {
        return new Database(db);
    }

    /** One replica, restored to {@code target}. */
    static BranchSource replica(ReplicaClient client, RestoreTarget target) {
        return new Replicas(List.of(new ReplicaChoice.Candidate(client.type(), client)), target);
    }

    /** A database's replicas: the one with the latest data for {@code target} is restored, as {@code keel restore} chooses. */
    static BranchSource replicas(List<ReplicaChoice.Candidate> candidates, RestoreTarget target) {
        return new Replicas(candidates, target);
    }

    record Database(Path path) implements BranchSource {
        public Database {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String describe() {
            return path.toAbsolutePath().normalize().toString();
        }
    }

    record Replicas(List<ReplicaChoice.Candidate> candidates, RestoreTarget target) implements BranchSource {
        public Replicas {
            candidates = List.copyOf(candidates);
            if (candidates.isEmpty()) throw new IllegalArgumentException("no replica to branch from");
            target = target == null ? RestoreTarget.latest() : target;
        }

        @Override
        public String describe() {
            return Redactor.urls(candidates.size() == 1 ? candidates.get(0).client().describe()
                    : String.join(", ", candidates.stream().map(c -> c.client().describe()).toList()));
        }
    }
}
