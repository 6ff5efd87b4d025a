package dev.keel.cli.replicate;

import dev.keel.cli.OutputOptions;
import dev.keel.cli.config.ConfigOptions;
import dev.keel.cli.config.KeelConfig;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ValidationResult;
import dev.keel.replication.spi.ReplicationListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel validate}: syncs each replica, restores it at the live database's position and compares
 * the two page by page. Exit 0 when every replica equals its database, 1 when one differs.
 */
@Command(name = "validate", description = {
        "Restore the latest state of each replica and compare it page by page with the live database.",
        "  keel validate [-config PATH] [-replica NAME] [DB_PATH]",
        "  keel validate DB_PATH REPLICA_URL [REPLICA_URL...]"})
public final class ValidateCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Option(names = {"-replica", "--replica"}, paramLabel = "NAME", description = "Validate only this replica.")
    String replica;

    @Parameters(paramLabel = "DB_PATH [REPLICA_URL...]", arity = "0..*",
            description = "A configured database (all of them when omitted), or a database and its replica URLs.")
    List<String> arguments = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ReplicateLogging.configure("warn", dev.keel.cli.output.Redaction.of(spec));
        List<DatabaseConfig> databases = databases();
        List<ValidationResult> results;
        try (Replicator replicator = Replicator.configure().databases(databases)
                .listener(new ReplicationListener() {
                }).backgroundLoops(false).start()) {
            replicator.sync();
            results = replicator.validateAll();
        } catch (KeelException e) {
            if (e.code() != ErrorCode.REFUSED) throw e;
            throw new KeelException(ErrorCode.REFUSED, e.getMessage(), e.subject(),
                    "a running 'keel replicate' validates its replicas itself: set validation-interval on them in the config");
        }
        render(results);
        List<ValidationResult> differing = results.stream().filter(r -> !r.equal()).toList();
        if (differing.isEmpty()) return 0;
        ValidationResult first = differing.get(0);
        throw new KeelException(ErrorCode.FAILURE, differing.size() + " replica(s) differ from the live database; replica '"
                + first.replica() + "' first differs at page " + first.firstDifferentPage() + " (position " + first.position() + ")",
                first.database().toString(),
                "restore that replica with 'keel restore' and inspect it; start a fresh generation by moving the db's -keel directory away and restarting keel replicate");
    }

    private List<DatabaseConfig> databases() {
        List<DatabaseConfig> all;
        if (arguments.size() >= 2) {
            all = List.of(ReplicateCommand.singleDatabase(arguments));
        } else {
            KeelConfig loaded = config.load();
            all = loaded.databasesNow();
            if (arguments.size() == 1) {
                all = loaded.database(Path.of(arguments.get(0))).map(List::of).orElseThrow(() -> new KeelException(
                        ErrorCode.NOT_FOUND, "database is not in the config file", arguments.get(0),
                        "add it to the config, or give its replica URLs: keel validate DB_PATH REPLICA_URL"));
            }
        }
        if (replica == null) return all;
        List<DatabaseConfig> only = new ArrayList<>();
        for (DatabaseConfig d : all) {
            var replicas = d.replicas().stream().filter(r -> r.name().equals(replica)).toList();
            if (!replicas.isEmpty()) {
                only.add(new DatabaseConfig(d.path(), d.metaPath(), d.monitorInterval(), d.checkpointInterval(),
                        d.minCheckpointPageCount(), d.maxCheckpointPageCount(), replicas));
            }
        }
        if (only.isEmpty()) {
            throw new KeelException(ErrorCode.NOT_FOUND, "no replica named '" + replica + "'", null,
                    "list the replicas with 'keel databases'");
        }
        return only;
    }

    private void render(List<ValidationResult> results) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ValidationResult r : results) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("database", r.database().toString());
                row.put("replica", r.replica());
                row.put("position", String.valueOf(r.position()));
                row.put("pagesCompared", r.pagesCompared());
                row.put("equal", r.equal());
                if (!r.equal()) row.put("firstDifferentPage", r.firstDifferentPage());
                rows.add(row);
            }
            output.printJson(out, Map.of("validations", rows));
            return;
        }
        for (ValidationResult r : results) {
            out.println(output.redact(String.format("%s -> %s: %s at %s (%d pages compared)", r.database(), r.replica(),
                    r.equal() ? "equal" : "DIFFERS from page " + r.firstDifferentPage(), r.position(), r.pagesCompared())));
        }
        out.flush();
    }
}
