package dev.keel.cli.fleet;

import dev.keel.cli.OutputOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keel fleet}: schema operations over many databases at once. */
@Command(name = "fleet", description = "Migrate, diff or check many databases at once (a directory, a list, a config file).",
        subcommands = {FleetMigrateCommand.class, FleetDiffCommand.class, FleetCheckCommand.class})
public final class FleetCommand implements Runnable {
    /** Accepted here too, so {@code keel fleet --json} fails like every other command does (as JSON). */
    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
