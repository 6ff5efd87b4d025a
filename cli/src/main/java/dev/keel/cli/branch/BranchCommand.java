package dev.keel.cli.branch;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keel branch}: throwaway copies of a database that delete themselves after a time-to-live. */
@Command(name = "branch", description = {"Throwaway copies of a database with an expiry (a dead-man's switch).",
        "  keel branch create --from DB_PATH|REPLICA_URL [-timestamp T] --to PATH [--ttl 72h] [--scrub F] [--schema-only]",
        "  keel branch list [--dir D]      keel branch extend PATH --ttl 24h      keel branch reap [--dir D] [--dry-run]"},
        subcommands = {BranchCreateCommand.class, BranchListCommand.class, BranchExtendCommand.class, BranchReapCommand.class})
public final class BranchCommand implements Runnable {
    /** Accepted here too, as on every command: errors of {@code keel branch --json ...} render as JSON. */
    @CommandLine.Mixin
    dev.keel.cli.OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
