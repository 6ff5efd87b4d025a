package dev.keel.cli;

import dev.keel.cli.config.ConfigOptions;
import dev.keel.cli.config.GoDuration;
import dev.keel.cli.config.KeelConfig;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code keel databases}: lists the databases in the config file and their replicas, in Litestream
 * 0.3's columns ({@code path  replicas}); with {@code --json}, every setting that drives replication.
 * Replicas are shown by name, type and a URL without credentials. A {@code dir:} entry is shown as
 * what it expands to now (see {@link DirectoryListing}). When the open-file limit or the held memory
 * ({@code held-memory:}) cannot hold every database, a warning on stderr says which, how many would be
 * held and how many parked, and how to raise it (see {@link HoldingLimits}).
 */
@Command(name = "databases", description = "List the databases in the config file and their replicas.")
public final class DatabasesCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions config;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        KeelConfig loaded = config.load();
        PrintWriter out = spec.commandLine().getOut();
        List<DirectoryListing> directories = loaded.directories().stream().map(DirectoryListing::expand).toList();
        int count = loaded.databases().size() + directories.stream().mapToInt(d -> d.databases().size()).sum();
        HoldingLimits limits = HoldingLimits.of(count, loaded.heldMemory());
        if (output.json()) {
            Map<String, Object> body = json(loaded, directories);
            body.put("descriptors", limits.descriptorsJson());
            body.put("heldMemory", limits.memoryJson());
            output.printJson(out, body);
        } else {
            if (!loaded.databases().isEmpty() || directories.isEmpty()) printTable(out, loaded.databases(), output::redact);
            for (DirectoryListing d : directories) d.print(out, output::redact);
            out.flush();
        }
        // On stderr, so the table stays what Litestream prints.
        limits.warning().ifPresent(w -> spec.commandLine().getErr().println("warning: " + w));
        return 0;
    }

    /** Two columns padded like Go's tabwriter with padding 2, as {@code litestream databases} prints them. */
    static void printTable(PrintWriter out, List<DatabaseConfig> databases, UnaryOperator<String> redact) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"path", "replicas"});
        for (DatabaseConfig db : databases) {
            rows.add(new String[]{db.path().toString(),
                    db.replicas().stream().map(ReplicaConfig::name).collect(Collectors.joining(","))});
        }
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
        for (String[] row : rows) {
            out.println(redact.apply(row[0] + " ".repeat(width - row[0].length()) + row[1]));
        }
        out.flush();
    }

    private static Map<String, Object> json(KeelConfig config, List<DirectoryListing> directories) {
        List<Object> dbs = new ArrayList<>();
        for (DatabaseConfig db : config.databases()) dbs.add(json(db));
        List<Object> dirs = new ArrayList<>();
        for (DirectoryListing d : directories) {
            dbs.addAll(d.databasesJson());
            dirs.add(d.json());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("config", config.source().toString());
        body.put("databases", dbs);
        body.put("directories", dirs);
        return body;
    }

    /** One database's settings and replicas, as {@code --json} shows them. */
    static Map<String, Object> json(DatabaseConfig db) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("path", db.path().toString());
        d.put("metaPath", db.resolvedMetaPath().toString());
        d.put("monitorInterval", GoDuration.format(db.monitorInterval()));
        d.put("checkpointInterval", GoDuration.format(db.checkpointInterval()));
        d.put("minCheckpointPageCount", db.minCheckpointPageCount());
        d.put("maxCheckpointPageCount", db.maxCheckpointPageCount());
        List<Object> replicas = new ArrayList<>();
        for (ReplicaConfig r : db.replicas()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("type", r.storage().type());
            m.put("url", r.storage().describe());
            m.put("syncInterval", GoDuration.format(r.syncInterval()));
            m.put("snapshotInterval", format(r.snapshotInterval()));
            m.put("retention", GoDuration.format(r.retention()));
            m.put("retentionCheckInterval", GoDuration.format(r.retentionCheckInterval()));
            m.put("validationInterval", format(r.validationInterval()));
            replicas.add(m);
        }
        d.put("replicas", replicas);
        return d;
    }

    private static String format(Duration d) {
        return d == null ? null : GoDuration.format(d);
    }
}
