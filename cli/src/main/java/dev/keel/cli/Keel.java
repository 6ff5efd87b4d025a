package dev.keel.cli;

import dev.keel.cli.output.ErrorRenderer;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code keel} root command. Subcommands are registered here as capabilities land; each is a
 * thin class that parses options, calls the library and renders the result.
 */
@Command(name = "keel",
        mixinStandardHelpOptions = false,
        versionProvider = VersionCommand.Provider.class,
        description = "Keeps SQLite safe in production: replication, point-in-time restore, declarative migrations.",
        subcommands = {
                VersionCommand.class,
                DatabasesCommand.class,
                dev.keel.cli.replicate.ReplicateCommand.class,
                dev.keel.cli.replicate.ValidateCommand.class,
                dev.keel.cli.restore.RestoreCommand.class,
                dev.keel.cli.restore.GenerationsCommand.class,
                dev.keel.cli.restore.SnapshotsCommand.class,
                dev.keel.cli.restore.WalCommand.class,
                dev.keel.cli.schema.MigrateCommand.class,
                dev.keel.cli.schema.DiffCommand.class,
                dev.keel.cli.schema.CheckCommand.class,
                dev.keel.cli.startup.TrainStartupCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Keel implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = {"-h", "--help", "-help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @CommandLine.Option(names = {"-V", "--version", "-version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with Keel's error handling; tests call this with their own writers. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new Keel());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        addHelpOptions(cmd);
        ErrorRenderer errors = new ErrorRenderer();
        cmd.setExecutionExceptionHandler(errors);
        cmd.setParameterExceptionHandler(errors);
        return cmd;
    }

    /** Every subcommand answers -h/--help, as the usage-error hint promises. */
    private static void addHelpOptions(CommandLine cmd) {
        for (CommandLine sub : cmd.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
            boolean hasHelp = spec.options().stream().anyMatch(CommandLine.Model.OptionSpec::usageHelp);
            if (!hasHelp && spec.findOption("-h") == null && spec.findOption("--help") == null) {
                spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help and exit.").build());
            }
            addHelpOptions(sub);
        }
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int status = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(status);
    }
}
