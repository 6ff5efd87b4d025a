package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which of a database's replicas a restore reads, as Litestream 0.3 chooses: the one named with
 * {@code -replica}, else the one whose matching generation has the latest data. A replica whose newest
 * generation cannot be restored, or cannot be told apart from another, fails the choice (naming it)
 * instead of being passed over: its data may be the newest.
 *
 * @param name   the chosen replica's name (as configured)
 * @param client its client
 * @param plan   what the restore reads from it
 */
public record ReplicaChoice(String name, ReplicaClient client, RestorePlan plan) {
    /** One replica a database may be restored from. */
    public record Candidate(String name, ReplicaClient client) {
    }

    /**
     * Opens a client for each of a configured database's replicas, or only for the one called
     * {@code name} when it is not null (NOT_FOUND when the database has no replica of that name).
     * The caller closes them.
     */
    public static List<Candidate> open(DatabaseConfig database, String name) {
        List<ReplicaConfig> configs = database.replicas().stream().filter(r -> name == null || r.name().equals(name)).toList();
        if (configs.isEmpty() && name != null) {
            throw notNamed(name, database.path().toString(), database.replicas().stream().map(ReplicaConfig::name).toList());
        }
        List<Candidate> out = new ArrayList<>();
        try {
            for (ReplicaConfig r : configs) out.add(new Candidate(r.name(), ReplicaClients.open(r)));
        } catch (RuntimeException e) {
            close(out);
            throw e;
        }
        return out;
    }

    /** Closes the candidates' clients; a failure to close after a listing or restore has nothing useful to say. */
    public static void close(List<Candidate> candidates) {
        for (Candidate c : candidates) {
            try {
                c.client().close();
            } catch (java.io.IOException | RuntimeException ignored) {
                // the work is done; the client holds nothing that must be flushed
            }
        }
    }

    /**
     * The candidate called {@code name}, or every candidate when {@code name} is null; NOT_FOUND naming
     * {@code database} and the replicas it has when none is called that.
     */
    public static List<Candidate> named(List<Candidate> candidates, String name, String database) {
        if (name == null) return candidates;
        List<Candidate> named = candidates.stream().filter(c -> c.name().equals(name)).toList();
        if (named.isEmpty()) throw notNamed(name, database, candidates.stream().map(Candidate::name).toList());
        return named;
    }

    private static KeelException notNamed(String name, String database, List<String> names) {
        return new KeelException(ErrorCode.NOT_FOUND, "replica \"" + name + "\" not found for database", database,
                "the configured replicas are: " + String.join(", ", names));
    }

    /** Lists every candidate once and chooses; empty when none holds a matching backup. */
    public static Optional<ReplicaChoice> choose(List<Candidate> candidates, RestoreOptions options) {
        Map<String, ReplicaCatalog> catalogs = new LinkedHashMap<>();
        for (Candidate c : candidates) catalogs.put(c.name(), catalog(c.client()));
        return choose(candidates, catalogs, options);
    }

    /** Chooses among candidates whose catalogs (by candidate name) are already loaded. */
    public static Optional<ReplicaChoice> choose(List<Candidate> candidates, Map<String, ReplicaCatalog> catalogs,
                                                 RestoreOptions options) {
        Candidate best = null;
        Instant bestTime = null;
        for (Candidate c : candidates) {
            Instant t;
            try {
                t = RestorePlanner.updatedAt(catalogs.get(c.name()), options.generation(), options.target());
            } catch (KeelException e) {
                if (candidates.size() < 2) throw e;
                throw new KeelException(e.code(), "replica \"" + c.name() + "\": " + e.getMessage(), e.subject(),
                        e.hint() + "; or restore from another replica with -replica NAME", e);
            }
            if (t != null && (bestTime == null || t.isAfter(bestTime))) {
                best = c;
                bestTime = t;
            }
        }
        if (best == null) return Optional.empty();
        Candidate chosen = best;
        return Restorer.plan(best.client(), catalogs.get(best.name()), options)
                .map(p -> new ReplicaChoice(chosen.name(), chosen.client(), p));
    }

    /** One listing of a replica; a failure names the replica. */
    public static ReplicaCatalog catalog(ReplicaClient client) {
        try {
            return ReplicaCatalog.load(client);
        } catch (KeelException e) {
            throw e.subject() == null ? e.withSubject(client.describe()) : e;
        } catch (RuntimeException e) {
            throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "cannot list the replica: " + e.getMessage(),
                    client.describe(), "check that the storage is reachable", e);
        }
    }
}
