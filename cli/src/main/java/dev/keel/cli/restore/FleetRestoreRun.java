package dev.keel.cli.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.restore.DatabaseRestoreOutcome;
import dev.keel.replication.restore.DatabaseRestoreOutcome.Status;
import dev.keel.replication.restore.FleetRestore;
import dev.keel.replication.restore.FleetRestoreOptions;
import dev.keel.replication.restore.FleetRestoreReport;
import dev.keel.replication.restore.RestoreResult;
import dev.keel.replication.restore.RestoreTarget;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaUrl;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The fleet forms of {@code keel restore}: with no database argument, every configured database to
 * its path (for a {@code dir:} entry, every database below its replicas to the directory plus its
 * relative path); with {@code -o DIR REPLICA_URL} where DIR is a directory (existing, or written with a
 * trailing '/'), every database below the replica prefix into DIR. Parses, calls {@link FleetRestore},
 * prints one line per database; the exit status is the most significant failure's.
 */
final class FleetRestoreRun {
    private final RestoreCommand command;
    private final RestoreTarget target;

    FleetRestoreRun(RestoreCommand command, RestoreTarget target) {
        this.command = command;
        this.target = target;
    }

    /** True for the fleet forms: no database argument, or a replica URL restored into a directory. */
    static boolean applies(RestoreCommand c) {
        if (c.target == null) return true;
        if (!ReplicaUrl.isUrl(c.target) || c.out == null) return false;
        OptionSpec o = c.spec.findOption("-o");
        String raw = o == null || o.stringValues().isEmpty() ? c.out.toString() : o.stringValues().get(0);
        return raw.endsWith("/") || raw.endsWith(java.io.File.separator) || Files.isDirectory(c.out);
    }

    int call() {
        if (command.generation != null || command.index != null) {
            throw usage("-generation and -index name one database's history", "restore that database alone: keel restore -o PATH DB_PATH|REPLICA_URL");
        }
        FleetRestoreOptions options = FleetRestoreOptions.defaults().withTarget(target).withParallelism(command.parallelism)
                .withIfDbNotExists(command.ifDbNotExists).withIfReplicaExists(command.ifReplicaExists)
                .withRemoveStaleFiles(command.removeStaleFiles);
        FleetRestoreReport report;
        try (FleetProgress progress = FleetProgress.forTerminal()) {
            report = command.target == null ? configured(options.withListener(progress)) : prefix(options.withListener(progress));
        }
        print(command.spec.commandLine().getOut(), report);
        return report.worstFailure().map(ErrorCode::exitStatus).orElse(0);
    }

    private FleetRestoreReport configured(FleetRestoreOptions options) {
        if (command.out != null) {
            throw usage("-o needs a database or a replica URL", "without one, every configured database is restored to its own path");
        }
        var loaded = command.config.load();
        return FleetRestore.restoreConfigured(loaded.databases(), loaded.directories(), command.replica, options);
    }

    private FleetRestoreReport prefix(FleetRestoreOptions options) {
        if (command.config.configPath() != null) {
            throw usage("cannot specify a replica URL and the -config flag", "give either -config (every configured database) or -o DIR URL");
        }
        if (command.replica != null) throw usage("-replica needs a database path and -config", "a replica URL names the replica itself");
        try (ReplicaClient prefix = ReplicaClients.open(dev.keel.replication.api.ReplicaConfig.of(ReplicaUrl.parse(command.target)))) {
            return FleetRestore.restorePrefix(prefix, command.out, options);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "cannot close the replica client: " + e.getMessage(), command.target, null, e);
        }
    }

    private void print(PrintWriter out, FleetRestoreReport report) {
        if (command.output.json()) {
            List<Map<String, Object>> dbs = new ArrayList<>();
            for (DatabaseRestoreOutcome d : report.databases()) dbs.add(json(d));
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("databases", dbs);
            all.put("restored", report.count(Status.RESTORED));
            all.put("skipped", report.count(Status.SKIPPED));
            all.put("failed", report.count(Status.FAILED));
            all.put("exitStatus", report.worstFailure().map(ErrorCode::exitStatus).orElse(0));
            command.output.printJson(out, all);
            return;
        }
        for (DatabaseRestoreOutcome d : report.databases()) out.println(command.output.redact(line(d)));
        out.printf("%d databases: %d restored, %d skipped, %d failed%n", report.databases().size(), report.count(Status.RESTORED),
                report.count(Status.SKIPPED), report.count(Status.FAILED));
        out.flush();
    }

    private static String line(DatabaseRestoreOutcome d) {
        return switch (d.status()) {
            case RESTORED -> {
                RestoreResult r = d.result();
                yield String.format("restored  %s -> %s from %s at %s: %d bytes in %.3f s", d.database(), r.output(), d.replica(),
                        r.position(), r.databaseBytes(), r.elapsed().toNanos() / 1e9);
            }
            case SKIPPED -> "skipped   " + d.database() + ": " + d.reason();
            case FAILED -> "failed    " + d.database() + ": " + d.reason()
                    + (d.failure().hint() == null ? "" : System.lineSeparator() + "          hint: " + d.failure().hint());
        };
    }

    private static Map<String, Object> json(DatabaseRestoreOutcome d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", d.database());
        m.put("status", d.status().name().toLowerCase(java.util.Locale.ROOT));
        if (d.output() != null) m.put("output", d.output().toString());
        if (d.reason() != null) m.put("reason", d.reason());
        if (d.failure() != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", d.failure().code().name());
            e.put("exitStatus", d.failure().code().exitStatus());
            e.put("message", d.failure().message());
            if (d.failure().subject() != null) e.put("subject", d.failure().subject());
            if (d.failure().hint() != null) e.put("hint", d.failure().hint());
            m.put("error", e);
        }
        if (d.result() != null) {
            RestoreResult r = d.result();
            m.put("replica", d.replica());
            m.put("generation", r.generation().id());
            m.put("position", Map.of("index", r.position().index(), "offset", r.position().offset()));
            m.put("databaseBytes", r.databaseBytes());
            m.put("elapsedSeconds", r.elapsed().toNanos() / 1e9);
        }
        return m;
    }

    private static KeelException usage(String message, String hint) {
        return new KeelException(ErrorCode.USAGE, message, null, hint);
    }
}
