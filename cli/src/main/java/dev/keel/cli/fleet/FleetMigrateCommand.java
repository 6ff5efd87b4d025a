package dev.keel.cli.fleet;

import dev.keel.cli.OutputOptions;
import dev.keel.fleet.FleetResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keel fleet migrate}: plans every database, refuses the run (exit 3) when any plan would be
 * refused, then migrates canaries, verifies them, and migrates the rest in parallel.
 */
@Command(name = "migrate", description = "Migrate every database of a fleet to schema.sql: plan all first, then canaries, then the rest.")
public final class FleetMigrateCommand implements Callable<Integer> {
    @CommandLine.Mixin
    FleetOptions fleet;

    @CommandLine.Mixin
    OutputOptions output;

    @Option(names = {"--allow-deletions", "-allow-deletions"}, description = "Allow dropping tables, columns, indexes, views and triggers.")
    boolean allowDeletions;

    @Option(names = {"--dry-run", "-dry-run"}, description = "Migrate each database in a transaction, then roll it back.")
    boolean dryRun;

    @Option(names = {"--pre", "-pre"}, paramLabel = "FILE", description = "SQL run before the plan, in each database's transaction.")
    Path pre;

    @Option(names = {"--post", "-post"}, paramLabel = "FILE", description = "SQL run after the plan, in each database's transaction.")
    Path post;

    @Option(names = {"--canary", "-canary"}, paramLabel = "N", defaultValue = "1",
            description = "Migrate and verify this many databases before the rest (0: none). Default: ${DEFAULT-VALUE}.")
    int canary;

    @Option(names = {"--fail-fast", "-fail-fast"}, description = "Start no more databases after the first failure.")
    boolean failFast;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        FleetResult r;
        try (FleetProgressBar progress = FleetProgressBar.forTerminal()) {
            r = fleet.migrator(progress).allowDeletions(allowDeletions).dryRun(dryRun).pre(pre).post(post).canary(canary).failFast(failFast)
                    .load().migrate();
        }
        return new FleetReport(output, spec.commandLine().getOut()).print(r, fleet.selection().ignored(), fleet.schemaLabel());
    }
}
