package dev.keel.cli.fleet;

import dev.keel.cli.OutputOptions;
import dev.keel.fleet.FleetResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keel fleet diff}: the plan of every database, databases with identical plans printed together; changes nothing. */
@Command(name = "diff", description = "Print the plans keel fleet migrate would run, grouped by identical plan; change nothing.")
public final class FleetDiffCommand implements Callable<Integer> {
    @CommandLine.Mixin
    FleetOptions fleet;

    @CommandLine.Mixin
    OutputOptions output;

    @Option(names = {"--pre", "-pre"}, paramLabel = "FILE", description = "SQL to run first (rolled back), as migrate would.")
    Path pre;

    @Option(names = {"--allow-deletions", "-allow-deletions"}, description = "Do not count deletions as refusals (as migrate with the flag).")
    boolean allowDeletions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        FleetResult r;
        try (FleetProgressBar progress = FleetProgressBar.forTerminal()) {
            r = fleet.migrator(progress).pre(pre).allowDeletions(allowDeletions).load().diff();
        }
        return new FleetReport(output, spec.commandLine().getOut()).print(r, fleet.selection().ignored(), fleet.schemaLabel());
    }
}
