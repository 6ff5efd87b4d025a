package dev.keel.cli.fleet;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keel fleet}: schema operations over many databases at once. */
@Command(name = "fleet", description = "Migrate, diff or check many databases at once (a directory, a list, a config file).",
        subcommands = {FleetMigrateCommand.class, FleetDiffCommand.class, FleetCheckCommand.class})
public final class FleetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
