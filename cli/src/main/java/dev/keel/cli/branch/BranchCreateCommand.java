package dev.keel.cli.branch;

import dev.keel.cli.OutputOptions;
import dev.keel.cli.config.ConfigOptions;
import dev.keel.cli.restore.ReplicaSources;
import dev.keel.cli.restore.RestoreCommand;
import dev.keel.fleet.branch.Branch;
import dev.keel.fleet.branch.BranchSource;
import dev.keel.fleet.branch.BranchSpec;
import dev.keel.fleet.branch.Branches;
import dev.keel.replication.restore.RestoreTarget;
import dev.keel.replication.spi.ReplicaUrl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keel branch create}: a copy of a live database, or of its replica at a moment, that expires.
 * A live database is copied when {@code --from} is a path and no {@code -timestamp} or {@code -replica}
 * is given; otherwise the replica (a URL, or the path's replicas in the config file) is restored.
 */
@Command(name = "create", description = "Copy a database (live, or its replica at a moment) to a new branch that expires.")
public final class BranchCreateCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions config;

    @CommandLine.Mixin
    OutputOptions output;

    @Option(names = {"--from", "-from"}, required = true, paramLabel = "DB_PATH|REPLICA_URL",
            description = "A live database file, or a replica URL (or a configured database with -timestamp/-replica).")
    String from;

    @Option(names = {"-timestamp", "--timestamp"}, paramLabel = "TIMESTAMP",
            description = "Branch from the replica as of this moment (RFC 3339, as keel restore -timestamp).")
    String timestamp;

    @Option(names = {"-replica", "--replica"}, paramLabel = "NAME", description = "Branch from this configured replica of DB_PATH.")
    String replica;

    @Option(names = {"--to", "-to"}, required = true, paramLabel = "PATH", description = "The new branch database (must not exist).")
    Path to;

    @Option(names = {"--ttl", "-ttl"}, paramLabel = "DURATION", defaultValue = "72h",
            description = "How long the branch lives, e.g. 72h, 30m (default ${DEFAULT-VALUE}, at most 8760h).")
    String ttl;

    @Option(names = {"--scrub", "-scrub"}, paramLabel = "FILE", description = "SQL run on the copy before it appears at --to.")
    Path scrub;

    @Option(names = {"--schema-only", "-schema-only"}, description = "Copy the schema without any rows.")
    boolean schemaOnly;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Duration lifetime = Ttl.parse(ttl); // usage errors before any replica is contacted
        RestoreTarget target = timestamp == null ? RestoreTarget.latest() : RestoreCommand.timestamp(timestamp);
        Branch branch;
        if (ReplicaUrl.isUrl(from) || timestamp != null || replica != null) {
            try (ReplicaSources sources = ReplicaSources.resolve(from, config, replica)) {
                branch = Branches.create(options(BranchSpec.from(BranchSource.replicas(sources.candidates(), target)), lifetime));
            }
        } else {
            branch = Branches.create(options(BranchSpec.from(BranchSource.database(Path.of(from))), lifetime));
        }
        print(spec.commandLine().getOut(), branch);
        return 0;
    }

    private BranchSpec options(BranchSpec.Builder builder, Duration lifetime) {
        // this process never has the source open: the fast direct copy is safe here
        return builder.to(to).ttl(lifetime).scrub(scrub).schemaOnly(schemaOnly).readFilesDirectly(true).build();
    }

    private void print(PrintWriter out, Branch b) {
        Instant now = Instant.now();
        if (output.json()) {
            output.printJson(out, BranchView.json(b, now));
            return;
        }
        out.println(output.redact("created branch " + b.path() + " from " + b.source() + " (" + b.origin() + ")"
                + (b.schemaOnly() ? ", schema only" : "") + (b.scrub() == null ? "" : ", scrubbed by " + b.scrub())
                + "; expires " + b.expires() + " (" + BranchView.left(b, now) + ")"));
        out.flush();
    }
}
