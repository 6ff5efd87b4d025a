package dev.keel.cli.restore;

import dev.keel.cli.OutputOptions;
import dev.keel.cli.config.ConfigOptions;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.restore.RestoreOptions;
import dev.keel.replication.restore.RestoreResult;
import dev.keel.replication.restore.RestoreTarget;
import dev.keel.replication.restore.Restorer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel restore}: rebuilds a database from a replica, latest or to a point in time, with
 * Litestream 0.3's options and choices (replica and generation with the latest data, newest snapshot
 * at or before the target). Never replaces an existing file.
 */
@Command(name = "restore", description = "Restore a database from a replica, latest or to a point in time.")
public final class RestoreCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions config;

    @CommandLine.Mixin
    OutputOptions output;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "Where to write the database. Default: the database path from the config.")
    Path out;

    @Option(names = {"-replica", "--replica"}, paramLabel = "NAME", description = "Restore from this replica. Default: the one with the latest data.")
    String replica;

    @Option(names = {"-generation", "--generation"}, paramLabel = "NAME", description = "Restore from this generation. Default: the one with the latest data.")
    String generation;

    @Option(names = {"-index", "--index"}, paramLabel = "NUM", description = "Restore up to this hex-encoded WAL index (inclusive). Needs -generation.")
    String index;

    @Option(names = {"-timestamp", "--timestamp"}, paramLabel = "TIMESTAMP", description = "Restore to this moment (RFC 3339, e.g. 2024-01-01T00:00:00Z).")
    String timestamp;

    @Option(names = {"-if-db-not-exists", "--if-db-not-exists"}, description = "Exit 0 without restoring when the output file exists.")
    boolean ifDbNotExists;

    @Option(names = {"-if-replica-exists", "--if-replica-exists"}, description = "Exit 0 when no backup is found.")
    boolean ifReplicaExists;

    @Option(names = {"-parallelism", "--parallelism"}, paramLabel = "NUM", defaultValue = "8", description = "Objects downloaded at once, 1 to 1024 (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = {"-remove-stale-files", "--remove-stale-files"},
            description = "Remove stale -wal, -shm and -journal files at the output path (default: refuse to restore).")
    boolean removeStaleFiles;

    @Option(names = {"-f", "--follow"}, description = "Follow mode: restore, then keep applying new WAL from the replica to the"
            + " output, a read-only copy for readers, until SIGINT/SIGTERM (then exit 0). Needs -o.")
    boolean follow;

    @Option(names = {"-follow-interval", "--follow-interval"}, paramLabel = "DURATION",
            description = "How often follow mode looks for new WAL (default 1s).")
    String followInterval;

    @Parameters(arity = "0..1", paramLabel = "DB_PATH|REPLICA_URL", description = "A database in the config file, or a replica URL"
            + " (then -o is needed). None: every configured database. With -o DIR/: every database below the URL, into DIR.")
    String target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        RestoreTarget restoreTarget = target();
        if (parallelism < 1 || parallelism > RestoreOptions.MAX_PARALLELISM) {
            throw usage("invalid -parallelism " + parallelism + ": must be 1 to " + RestoreOptions.MAX_PARALLELISM,
                    "objects downloaded at once; the default is " + RestoreOptions.DEFAULT_PARALLELISM);
        }
        if (follow || followInterval != null) return new FollowRun(this).call();
        if (FleetRestoreRun.applies(this)) return new FleetRestoreRun(this, restoreTarget).call();
        if (restoreTarget instanceof RestoreTarget.Index && generation == null) {
            throw usage("must specify generation when restoring to index", "add -generation NAME (see 'keel generations')");
        }
        Generation wanted = generation == null ? null : parseGeneration(generation);
        PrintWriter stdout = spec.commandLine().getOut();
        try (ReplicaSources sources = ReplicaSources.resolve(target, config, replica);
             ProgressListener progress = ProgressListener.forTerminal()) {
            Path output = out != null ? out : sources.database();
            if (output == null) throw usage("output path required", "a restore from a replica URL needs -o PATH");
            if (ifDbNotExists && Files.exists(output)) {
                stdout.println("database already exists, skipping");
                return 0;
            }
            Restorer.Builder restorer = Restorer.configure().replicas(sources.subject(), sources.replicas()).output(output)
                    .generation(wanted).target(restoreTarget).parallelism(parallelism).removeStaleFiles(removeStaleFiles)
                    .listener(progress);
            if (!ifReplicaExists) return print(stdout, restorer.restore());
            Optional<RestoreResult> result = restorer.restoreIfFound();
            if (result.isEmpty()) {
                stdout.println("no matching backups found");
                return 0;
            }
            return print(stdout, result.get());
        }
    }

    private int print(PrintWriter stdout, RestoreResult r) {
        if (output.json()) {
            output.printJson(stdout, Map.of("output", r.output().toString(), "replica", r.replicaName(),
                    "generation", r.generation().id(), "snapshotIndex", r.snapshotIndex(),
                    "position", Map.of("index", r.position().index(), "offset", r.position().offset()),
                    "walSegments", r.walSegments(), "compressedBytes", r.compressedBytes(),
                    "databaseBytes", r.databaseBytes(), "elapsedSeconds", r.elapsed().toNanos() / 1e9));
            return 0;
        }
        stdout.println(output.redact(String.format("restored %s from %s (%s) at %s: snapshot %08x + %d WAL segments, %d bytes in %.3f s",
                r.output(), r.replicaName(), r.replica(), r.position(), r.snapshotIndex(), r.walSegments(), r.databaseBytes(),
                r.elapsed().toNanos() / 1e9)));
        stdout.flush();
        return 0;
    }

    private RestoreTarget target() {
        if (index != null && timestamp != null) {
            throw usage("cannot specify index & timestamp to restore", "give either -index or -timestamp");
        }
        if (index != null) {
            if (!index.matches("(?i)(0x)?[0-9a-f]{1,8}")) {
                throw usage("invalid -index '" + index + "': must be a hex-encoded WAL index", "e.g. -index 0000001a (see 'keel wal')");
            }
            return RestoreTarget.index(Long.parseLong(index.replaceFirst("(?i)^0x", ""), 16));
        }
        if (timestamp != null) return timestamp(timestamp);
        return RestoreTarget.latest();
    }

    /** {@code -timestamp T} as {@code keel restore} reads it (RFC 3339 with a zone); also used by {@code keel branch create}. */
    public static RestoreTarget timestamp(String text) {
        try {
            return RestoreTarget.timestamp(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            throw usage("invalid -timestamp, must specify in ISO 8601 format (e.g. 2000-01-01T00:00:00Z)", "an RFC 3339 time with a zone");
        }
    }

    static Generation parseGeneration(String name) {
        if (!Generation.isValid(name)) throw usage("invalid -generation '" + name + "'", "a generation is 16 lowercase hex characters");
        return new Generation(name);
    }

    static KeelException usage(String message, String hint) {
        return new KeelException(ErrorCode.USAGE, message, null, hint);
    }
}
