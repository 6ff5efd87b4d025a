package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.spi.PrefixedReplicaClient;
import dev.keel.replication.spi.ReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Restores many databases at once: every database of a config, or every database found below a
 * replica prefix (into one directory, keeping relative paths). Each database is restored by
 * {@link Restorer} with the usual rules; one database failing never stops the others, and the
 * report has one line per database.
 *
 * <p>{@code parallelism} is one budget for the whole fleet: up to that many databases are restored
 * at once, and each downloads {@code parallelism / databases at once} objects at a time (at least one).
 *
 * <pre>{@code
 * try (ReplicaClient prefix = ReplicaClients.open(ReplicaUrl.parse("s3://bucket/tenants"))) {
 *     FleetRestoreReport r = FleetRestore.restorePrefix(prefix, Path.of("/data/tenants"), FleetRestoreOptions.defaults());
 * }
 * }</pre>
 */
public final class FleetRestore {
    private FleetRestore() {
    }

    /** One database to restore: its name in the report, where it goes, and how it is restored. */
    interface Job {
        String name();

        DatabaseRestoreOutcome run(int parallelism, long memoryBudget);
    }

    /**
     * Restores every database found below {@code prefix} (see {@link ReplicaPrefix}) to the same
     * relative path below {@code dir}. A name that cannot be a relative path below {@code dir} fails
     * that database. NOT_FOUND when the prefix holds none (unless {@code ifReplicaExists}).
     */
    public static FleetRestoreReport restorePrefix(ReplicaClient prefix, Path dir, FleetRestoreOptions options) {
        List<ReplicaPrefix.Found> found = ReplicaPrefix.discover(prefix, options.maxDatabases());
        if (found.isEmpty()) {
            if (options.ifReplicaExists()) return new FleetRestoreReport(List.of());
            throw new KeelException(ErrorCode.NOT_FOUND, "no database replicas found below the prefix", prefix.describe(),
                    "a fleet's replicas lie at <prefix>/<relative db path>/generations/...; check the URL"
                            + "; -if-replica-exists makes this exit 0");
        }
        FleetOutputDirectory out = new FleetOutputDirectory(dir);
        List<Job> jobs = new ArrayList<>();
        for (ReplicaPrefix.Found f : found) jobs.add(new PrefixJob(prefix, out, f, options));
        return run(jobs, options);
    }

    /**
     * Restores every configured database to its configured path, each from its replica with the
     * latest data (or from the replica named {@code replicaName}, when not null).
     */
    public static FleetRestoreReport restoreConfigured(List<DatabaseConfig> databases, String replicaName,
                                                       FleetRestoreOptions options) {
        return restoreConfigured(databases, List.of(), replicaName, options);
    }

    /**
     * Restores every configured database, and every database found below the replica prefixes of each
     * {@code dir:} entry (how a fresh host gets its whole fleet back), each to its configured path: for a
     * dir entry, the directory plus the relative path the replica is stored under. A database of a dir
     * entry is restored from whichever of the entry's replicas has the latest data.
     */
    public static FleetRestoreReport restoreConfigured(List<DatabaseConfig> databases, List<DirectoryConfig> directories,
                                                       String replicaName, FleetRestoreOptions options) {
        if (databases.isEmpty() && directories.isEmpty()) {
            throw new KeelException(ErrorCode.NOT_FOUND, "the config lists no databases", null,
                    "add databases under 'dbs:' in the config file");
        }
        List<Job> jobs = new ArrayList<>();
        for (DatabaseConfig db : databases) jobs.add(new ConfiguredJob(db, replicaName, options));
        List<DirectoryJobs> fleets = new ArrayList<>();
        try {
            for (DirectoryConfig d : directories) {
                DirectoryJobs fleet = DirectoryJobs.open(d, replicaName, options);
                fleets.add(fleet);
                jobs.addAll(fleet.jobs());
            }
            if (jobs.isEmpty() && options.ifReplicaExists()) return new FleetRestoreReport(List.of());
            if (jobs.isEmpty()) {
                throw new KeelException(ErrorCode.NOT_FOUND, "no database replicas found below the dir entries' replicas",
                        directories.get(0).root().toString(), "a dir entry's databases lie at <replica>/<relative db path>/generations/..."
                                + "; -if-replica-exists makes this exit 0");
            }
            return run(jobs, options);
        } finally {
            for (DirectoryJobs fleet : fleets) fleet.close();
        }
    }

    private static FleetRestoreReport run(List<Job> jobs, FleetRestoreOptions options) {
        int atOnce = Math.min(options.parallelism(), jobs.size());
        int perDatabase = Math.max(1, options.parallelism() / atOnce);
        // Each restore buffers pages in memory; the fleet shares what one restore alone would use.
        long memoryBudget = Math.max(8L << 20, Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4) / atOnce);
        AtomicInteger done = new AtomicInteger();
        AtomicInteger thread = new AtomicInteger();
        options.listener().starting(jobs.size());
        ExecutorService pool = Executors.newFixedThreadPool(atOnce, r -> {
            Thread t = new Thread(r, "keel-fleet-restore-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<DatabaseRestoreOutcome>> futures = new ArrayList<>();
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    DatabaseRestoreOutcome o = runOne(job, options, perDatabase, memoryBudget);
                    options.listener().finished(o, done.incrementAndGet(), jobs.size());
                    return o;
                }));
            }
            List<DatabaseRestoreOutcome> outcomes = new ArrayList<>();
            for (Future<DatabaseRestoreOutcome> f : futures) outcomes.add(f.get());
            return new FleetRestoreReport(outcomes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeelException(ErrorCode.FAILURE, "the fleet restore was interrupted", null,
                    "databases restored so far are complete; run the restore again with -if-db-not-exists");
        } catch (ExecutionException e) {
            // runOne turns every exception into an outcome; only an Error gets here.
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static DatabaseRestoreOutcome runOne(Job job, FleetRestoreOptions fleet, int parallelism, long memoryBudget) {
        try {
            return job.run(parallelism, memoryBudget);
        } catch (KeelException e) {
            return DatabaseRestoreOutcome.failed(job.name(), null, e);
        } catch (RuntimeException e) {
            return DatabaseRestoreOutcome.failed(job.name(), null, new KeelException(ErrorCode.FAILURE,
                    "restore failed: " + e, job.name(), "run 'keel restore' for this database alone with -x to see the stack trace"));
        }
    }

    /**
     * The steps every database goes through once its output path and replicas are known: skip an
     * existing output, then restore from the replica the library chooses ({@link Restorer.Builder}).
     */
    private static DatabaseRestoreOutcome restore(String name, Path output, Restorer.Builder restorer, FleetRestoreOptions fleet,
                                                  int parallelism, long memoryBudget) {
        try {
            // a link to a missing file is no existing database: the restore refuses it
            if (fleet.ifDbNotExists() && Files.exists(output)) {
                return DatabaseRestoreOutcome.skipped(name, output, "the output file exists (-if-db-not-exists)");
            }
            Optional<RestoreResult> result = restorer.output(output).target(fleet.target()).parallelism(parallelism)
                    .removeStaleFiles(fleet.removeStaleFiles()).memoryBudget(memoryBudget).restoreIfFound();
            if (result.isPresent()) return DatabaseRestoreOutcome.restored(name, result.get().replicaName(), result.get());
            if (fleet.ifReplicaExists()) {
                return DatabaseRestoreOutcome.skipped(name, output, "no matching backups found (-if-replica-exists)");
            }
            throw restorer.noBackups();
        } catch (KeelException e) {
            return DatabaseRestoreOutcome.failed(name, output, e);
        }
    }

    /** The same, from replicas whose catalogs were read already (one listing per fleet prefix). */
    static DatabaseRestoreOutcome restore(String name, Path output, List<ReplicaChoice.Candidate> replicas,
                                          Map<String, ReplicaCatalog> catalogs, FleetRestoreOptions fleet,
                                          int parallelism, long memoryBudget) {
        return restore(name, output, Restorer.configure().replicas(name, replicas).catalogs(catalogs), fleet,
                parallelism, memoryBudget);
    }

    /** A database found below a prefix, restored below the output directory. */
    private record PrefixJob(ReplicaClient prefix, FleetOutputDirectory out, ReplicaPrefix.Found found,
                             FleetRestoreOptions fleet) implements Job {
        @Override
        public String name() {
            return printable(found.path());
        }

        @Override
        public DatabaseRestoreOutcome run(int parallelism, long memoryBudget) {
            if (found.problem() != null) {
                return DatabaseRestoreOutcome.failed(name(), null, new KeelException(ErrorCode.BAD_INPUT,
                        "refused database name: " + found.problem(), prefix.describe() + " (database '" + name() + "')",
                        "nothing was written for it; a fleet's replicas lie at <prefix>/<relative db path>/generations/..."));
            }
            Path output = out.outputOf(found.path());
            try {
                out.prepare(output);
            } catch (KeelException e) {
                return DatabaseRestoreOutcome.failed(found.path(), output, e);
            }
            ReplicaClient client = PrefixedReplicaClient.under(prefix, found.path());
            String replica = prefix.type();
            Restorer.Builder restorer = Restorer.configure().replicas(client.describe(), List.of(new ReplicaChoice.Candidate(replica, client)))
                    .catalogs(Map.of(replica, found.catalog(client.describe())));
            return restore(found.path(), output, restorer, fleet, parallelism, memoryBudget);
        }
    }

    /** A configured database, restored to its configured path. */
    private record ConfiguredJob(DatabaseConfig db, String replicaName, FleetRestoreOptions fleet) implements Job {
        @Override
        public String name() {
            return db.path().toString();
        }

        @Override
        public DatabaseRestoreOutcome run(int parallelism, long memoryBudget) {
            List<ReplicaChoice.Candidate> replicas = List.of();
            try {
                replicas = ReplicaChoice.open(db, replicaName);
                if (replicas.isEmpty()) {
                    return DatabaseRestoreOutcome.failed(name(), db.path(), new KeelException(ErrorCode.NOT_FOUND,
                            "the database has no replicas", name(), "add replicas under the database in the config file"));
                }
                return restore(name(), db.path(), Restorer.configure().replicas(name(), replicas).replica(replicaName), fleet,
                        parallelism, memoryBudget);
            } catch (KeelException e) {
                return DatabaseRestoreOutcome.failed(name(), db.path(), e);
            } finally {
                ReplicaChoice.close(replicas);
            }
        }
    }

    /** A name from a listing, safe to print: control characters shown as escapes. */
    static String printable(String name) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        return sb.length() > 200 ? sb.substring(0, 200) + "..." : sb.toString();
    }
}
