package dev.keel.cli.replicate;

import dev.keel.cli.OutputOptions;
import dev.keel.cli.config.ConfigOptions;
import dev.keel.cli.config.KeelConfig;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.fleet.branch.BranchReaper;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.HeldMemory;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicaUrl;
import dev.keel.server.ListenAddress;
import dev.keel.server.ServerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.keel.cli.output.Redaction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel replicate}: follows every database in the config file, or one database given on the
 * command line with its replica URLs, until SIGINT/SIGTERM or until the {@code -exec} child exits.
 */
@Command(name = "replicate", description = {
        "Replicate databases to their replicas until stopped (SIGINT/SIGTERM run a final sync, then exit 0;",
        "69 when the final sync could not upload everything to a replica, which the log details).",
        "  keel replicate [-config PATH] [-exec CMD] [-addr :9090]",
        "  keel replicate DB_PATH REPLICA_URL [REPLICA_URL...]",
        "  keel replicate -dir DIR [-pattern GLOB] [-recursive] REPLICA_URL [REPLICA_URL...]"})
public final class ReplicateCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    /** --json renders errors as JSON (the daemon's progress goes to the log); -x shows stack traces. */
    @Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-exec", "--exec"}, paramLabel = "CMD",
            description = "Run CMD as a child process; forward signals to it and exit with its status after a final sync.")
    String exec;

    @Option(names = {"-addr", "--addr"}, paramLabel = "ADDR",
            description = "Serve /metrics, /healthz, /readyz and the status page on ADDR (':9090' is every interface,"
                    + " '127.0.0.1:9090' or '[::1]:9090' one); overrides the config's addr.")
    String addr;

    @Option(names = {"-h", "--help", "-help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-v", "--verbose"}, description = "Also log every WAL segment and checkpoint.")
    boolean verbose;

    @Option(names = {"-dir", "--dir"}, paramLabel = "DIR",
            description = "Replicate every SQLite file in DIR; each one's replica is REPLICA_URL/<its path below DIR>.")
    Path dir;

    @Option(names = {"-pattern", "--pattern"}, paramLabel = "GLOB",
            description = "With -dir: which file names are databases (default: ${DEFAULT-VALUE}).", defaultValue = "*.db")
    String pattern;

    @Option(names = {"-recursive", "--recursive"}, description = "With -dir: look in subdirectories too.")
    boolean recursive;

    @Option(names = {"-takeover", "--takeover"},
            description = "Take each replica's lease even from a live replicator (which stops writing it before its lease ends); "
                    + "writing starts once its lease ran out, in a new generation.")
    boolean takeover;

    @Parameters(paramLabel = "DB_PATH REPLICA_URL", arity = "0..*",
            description = "A database and its replica URLs (file:///dir, a directory path, s3://, sftp://, abs://).")
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        Redaction redaction = Redaction.of(spec);
        ReplicateLogging.configure(verbose ? "debug" : null, redaction);
        String command = exec;
        List<DatabaseConfig> databases = List.of();
        List<DirectoryConfig> directories = List.of();
        List<Path> branches = List.of();
        String serveOn = addr;
        KeelConfig.Server serverSettings = KeelConfig.Server.DEFAULT;
        if (addr != null) ListenAddress.parse(addr); // a bad -addr fails before anything else
        KeelConfig.Heartbeat heartbeat = null;
        HeldMemory heldMemory = HeldMemory.DEFAULT;
        if (dir != null) {
            directories = List.of(DirectoryEntry.of(dir, pattern, recursive, arguments, config.configPath() != null));
        } else if (recursive || !"*.db".equals(pattern)) {
            throw new KeelException(ErrorCode.USAGE, "-pattern and -recursive need -dir", null,
                    "keel replicate -dir DIR -pattern '*.sqlite' [-recursive] REPLICA_URL");
        } else if (!arguments.isEmpty()) {
            if (config.configPath() != null) {
                throw new KeelException(ErrorCode.USAGE, "give either -config or a database path with replica URLs, not both",
                        null, "run 'keel replicate --help' for usage");
            }
            databases = List.of(singleDatabase(arguments));
        } else {
            KeelConfig loaded = config.load();
            ReplicateLogging.configure(loaded.logging(), verbose ? "debug" : null, redaction);
            databases = loaded.databases();
            directories = loaded.directories();
            branches = loaded.branches();
            heartbeat = loaded.heartbeat();
            heldMemory = loaded.heldMemory();
            if (command == null) command = loaded.exec();
            if (serveOn == null) serveOn = loaded.addr();
            serverSettings = loaded.server();
            if (loaded.isEmpty()) {
                throw new KeelException(ErrorCode.BAD_INPUT, "the config file lists no databases", loaded.source().toString(),
                        "add a dbs: entry with a path and at least one replica");
            }
        }
        if (takeover) {
            databases = Takeover.databases(databases);
            directories = Takeover.directories(directories);
        }
        BranchReaper reaper = BranchReaper.start(branches); // expired branches go while the daemon runs
        try {
            ServerOptions server = serveOn == null ? null : new ServerOptions(ListenAddress.parse(serveOn),
                    serverSettings.readyWithin(), serverSettings.perDatabaseMetrics(), redaction.redactor());
            return new ReplicateDaemon(databases, directories, command == null ? null : CommandSplitter.split(command), server,
                    heartbeat, heldMemory).run();
        } finally {
            reaper.close();
        }
    }

    /** DB_PATH REPLICA_URL...: every timing at its default, replicas named by type (file, file-2, ...). */
    static DatabaseConfig singleDatabase(List<String> args) {
        if (args.size() < 2) {
            throw new KeelException(ErrorCode.USAGE, "no replica URL after the database path", args.get(0),
                    "give at least one, e.g. keel replicate " + args.get(0) + " file:///backups/db");
        }
        return DatabaseConfig.of(Path.of(args.get(0)), replicas(args.subList(1, args.size())));
    }

    /** Replicas from URLs, named by type (file, file-2, ...), every timing at its default. */
    static List<ReplicaConfig> replicas(List<String> urls) {
        List<ReplicaConfig> replicas = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String url : urls) {
            ReplicaStorage storage = ReplicaUrl.parse(url);
            int n = seen.merge(storage.type(), 1, Integer::sum);
            String name = n == 1 ? storage.type() : storage.type() + "-" + n;
            replicas.add(new ReplicaConfig(name, storage, null, null, null, null, null));
        }
        return replicas;
    }
}
