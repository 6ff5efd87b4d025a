package dev.keel.cli.fleet;

import dev.keel.cli.OutputOptions;
import dev.keel.fleet.FleetResult;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keel fleet check}: a CI drift gate, exit 2 when any database differs, differences grouped. */
@Command(name = "check", description = "Exit 0 when every database matches schema.sql, 2 when any differs (differences grouped).")
public final class FleetCheckCommand implements Callable<Integer> {
    @CommandLine.Mixin
    FleetOptions fleet;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        FleetResult r;
        try (FleetProgressBar progress = FleetProgressBar.forTerminal()) {
            r = fleet.migrator(progress).load().check();
        }
        return new FleetReport(output, spec.commandLine().getOut()).print(r, fleet.selection().ignored(), fleet.schemaLabel());
    }
}
