package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.PrefixedReplicaClient;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The restore jobs of one {@code dir:} entry: each replica of the entry is listed once as a prefix
 * ({@link ReplicaPrefix#discover}), and every database found below any of them is restored to the
 * directory plus its relative path, from whichever replica has the latest data. Names from the
 * listings are untrusted: one that is not a plain relative path fails (nothing is written for it); one
 * the entry would not follow (pattern, or nested without {@code recursive}) is skipped and reported.
 * Holds one client per replica for all its jobs; {@link #close()} after they ran.
 */
final class DirectoryJobs implements AutoCloseable {
    private final DirectoryConfig entry;
    private final FleetRestoreOptions options;
    private final Map<String, ReplicaClient> prefixes = new LinkedHashMap<>();
    /** For each database name, what each replica (by name) holds of it. */
    private final Map<String, Map<String, ReplicaPrefix.Found>> found = new TreeMap<>();
    private final List<FleetRestore.Job> jobs = new ArrayList<>();

    private DirectoryJobs(DirectoryConfig entry, FleetRestoreOptions options) {
        this.entry = entry;
        this.options = options;
    }

    static DirectoryJobs open(DirectoryConfig entry, String replicaName, FleetRestoreOptions options) {
        DirectoryJobs d = new DirectoryJobs(entry, options);
        try {
            for (ReplicaConfig r : entry.replicas()) {
                if (replicaName == null || replicaName.equals(r.name())) d.list(r);
            }
            if (d.prefixes.isEmpty() && replicaName != null) {
                d.jobs.add(failed(entry.root().toString(), new KeelException(ErrorCode.NOT_FOUND,
                        "replica \"" + replicaName + "\" not found for the dir entry", entry.root().toString(),
                        "the entry's replicas are: " + String.join(", ", entry.replicas().stream().map(ReplicaConfig::name).toList()))));
            }
            for (Map.Entry<String, Map<String, ReplicaPrefix.Found>> e : d.found.entrySet()) d.jobs.add(d.job(e.getKey(), e.getValue()));
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** Lists one replica of the entry; a replica that cannot be listed becomes a failed line, the others go on. */
    private void list(ReplicaConfig replica) {
        String where = entry.root() + " (replica " + replica.name() + ")";
        try {
            ReplicaClient prefix = ReplicaClients.open(replica);
            prefixes.put(replica.name(), prefix);
            for (ReplicaPrefix.Found f : ReplicaPrefix.discover(prefix, options.maxDatabases())) {
                found.computeIfAbsent(f.path(), k -> new LinkedHashMap<>()).put(replica.name(), f);
            }
        } catch (KeelException e) {
            jobs.add(failed(where, e));
        }
    }

    List<FleetRestore.Job> jobs() {
        return jobs;
    }

    private FleetRestore.Job job(String name, Map<String, ReplicaPrefix.Found> byReplica) {
        String printable = FleetRestore.printable(name);
        String problem = byReplica.values().iterator().next().problem();
        if (problem != null) {
            return failed(entry.root() + " ('" + printable + "')", new KeelException(ErrorCode.BAD_INPUT,
                    "refused database name: " + problem, entry.root() + " ('" + printable + "')",
                    "nothing was written for it; a dir entry's replicas lie at <replica>/<relative db path>/generations/..."));
        }
        if (!entry.matches(name)) {
            return outcome(name, DatabaseRestoreOutcome.skipped(name, null, "found below the replica, but the dir entry "
                    + (name.indexOf('/') >= 0 && !entry.directory().recursive() ? "is not recursive" : "pattern '"
                    + entry.directory().pattern() + "' does not match it")));
        }
        String configured = entry.database(name).path().toString();
        return new FleetRestore.Job() {
            @Override
            public String name() {
                return configured;
            }

            @Override
            public DatabaseRestoreOutcome run(int parallelism, long memoryBudget) {
                FleetOutputDirectory out = new FleetOutputDirectory(entry.root());
                Path output = out.outputOf(name);
                try {
                    out.prepare(output);
                } catch (KeelException e) {
                    return DatabaseRestoreOutcome.failed(name(), output, e);
                }
                List<ReplicaChoice.Candidate> candidates = new ArrayList<>();
                Map<String, ReplicaCatalog> catalogs = new LinkedHashMap<>();
                for (Map.Entry<String, ReplicaPrefix.Found> e : byReplica.entrySet()) {
                    ReplicaClient client = PrefixedReplicaClient.under(prefixes.get(e.getKey()), name);
                    candidates.add(new ReplicaChoice.Candidate(e.getKey(), client));
                    catalogs.put(e.getKey(), e.getValue().catalog(client.describe()));
                }
                return FleetRestore.restore(name(), output, candidates, catalogs, options, parallelism, memoryBudget);
            }
        };
    }

    private static FleetRestore.Job failed(String name, KeelException e) {
        return outcome(name, DatabaseRestoreOutcome.failed(name, null, e));
    }

    private static FleetRestore.Job outcome(String name, DatabaseRestoreOutcome outcome) {
        return new FleetRestore.Job() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public DatabaseRestoreOutcome run(int parallelism, long memoryBudget) {
                return outcome;
            }
        };
    }

    @Override
    public void close() {
        for (ReplicaClient c : prefixes.values()) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // after the restore: nothing useful to report
            }
        }
    }
}
