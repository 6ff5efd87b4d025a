package dev.keel.cli.schema;

import dev.keel.cli.OutputOptions;
import dev.keel.schema.MigrationResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keel migrate}: brings a database to the wanted schema in one transaction, or changes nothing. */
@Command(name = "migrate", description = "Apply the difference between a database and schema.sql, all or nothing.")
public final class MigrateCommand implements Callable<Integer> {
    @CommandLine.Mixin
    SchemaOptions schema;

    @CommandLine.Mixin
    OutputOptions output;

    @Option(names = {"--allow-deletions", "-allow-deletions"}, description = "Allow dropping tables, columns, indexes, views and triggers.")
    boolean allowDeletions;

    @Option(names = {"--dry-run", "-dry-run"}, description = "Run everything in a transaction, then roll it back.")
    boolean dryRun;

    @Option(names = {"--pre", "-pre"}, paramLabel = "FILE", description = "SQL run before the plan, in the same transaction.")
    Path pre;

    @Option(names = {"--post", "-post"}, paramLabel = "FILE", description = "SQL run after the plan, in the same transaction.")
    Path post;

    @Option(names = {"--create", "-create"}, description = "Create the database if it does not exist (otherwise that is an error).")
    boolean create;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        MigrationResult r = schema.builder().allowDeletions(allowDeletions).dryRun(dryRun).pre(pre).post(post)
                .createIfMissing(create).load().migrate();
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.printJson(out, SchemaRenderer.json(r));
        } else if (r.upToDate()) {
            out.println(r.database() + ": up to date with " + schema.schemaLabel() + ", nothing to do");
        } else {
            String what = r.dryRun() ? "dry run, rolled back" : "migrated";
            out.print(r.database() + ": " + what + " (" + r.plan().steps().size() + " statements, " + r.millis() + " ms)\n"
                    + SchemaRenderer.differences(r));
        }
        out.flush();
        return 0;
    }
}
