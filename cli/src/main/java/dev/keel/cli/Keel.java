package dev.keel.cli;

import dev.keel.cli.output.ErrorRenderer;
import dev.keel.cli.output.Redaction;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code keel} root command. Subcommands are registered here as capabilities land; each is a
 * thin class that parses options, calls the library and renders the result.
 */
@Command(name = "keel",
        mixinStandardHelpOptions = false,
        versionProvider = VersionCommand.Provider.class,
        description = "Keeps SQLite safe in production: replication, point-in-time restore, declarative migrations.")
public final class Keel implements Runnable {
    /** The subcommands in help order. picocli builds a command's model by reflection, so a run builds only the one it needs. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("version", VersionCommand::new);
        SUBCOMMANDS.put("databases", DatabasesCommand::new);
        SUBCOMMANDS.put("replicate", dev.keel.cli.replicate.ReplicateCommand::new);
        SUBCOMMANDS.put("validate", dev.keel.cli.replicate.ValidateCommand::new);
        SUBCOMMANDS.put("sync", dev.keel.cli.replicate.SyncCommand::new);
        SUBCOMMANDS.put("restore", dev.keel.cli.restore.RestoreCommand::new);
        SUBCOMMANDS.put("generations", dev.keel.cli.restore.GenerationsCommand::new);
        SUBCOMMANDS.put("snapshots", dev.keel.cli.restore.SnapshotsCommand::new);
        SUBCOMMANDS.put("wal", dev.keel.cli.restore.WalCommand::new);
        SUBCOMMANDS.put("migrate", dev.keel.cli.schema.MigrateCommand::new);
        SUBCOMMANDS.put("diff", dev.keel.cli.schema.DiffCommand::new);
        SUBCOMMANDS.put("check", dev.keel.cli.schema.CheckCommand::new);
        SUBCOMMANDS.put("fleet", dev.keel.cli.fleet.FleetCommand::new);
        SUBCOMMANDS.put("branch", dev.keel.cli.branch.BranchCommand::new);
        SUBCOMMANDS.put("train-startup", dev.keel.cli.startup.TrainStartupCommand::new);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Redaction redaction = new Redaction();

    /** What this run hides in its output; commands add the config file's secrets once they read it. */
    public Redaction redaction() {
        return redaction;
    }

    @CommandLine.Option(names = {"-h", "--help", "-help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @CommandLine.Option(names = {"-V", "--version", "-version"}, versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with every subcommand and Keel's error handling; tests call this with their own writers. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, new String[0]);
    }

    /**
     * As {@link #commandLine(PrintWriter, PrintWriter)} for these arguments: when they start with a
     * subcommand's name only that subcommand is built (help, usage errors and suggestions need them all).
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, String[] args) {
        Keel root = new Keel();
        CommandLine cmd = new CommandLine(root);
        Supplier<Object> only = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
        if (only != null) {
            cmd.addSubcommand(args[0], only.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> cmd.addSubcommand(name, command.get()));
            cmd.addSubcommand("help", new CommandLine.HelpCommand());
        }
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        addHelpOptions(cmd);
        ErrorRenderer errors = new ErrorRenderer(root.redaction());
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
        // The JDK keeps 5 idle connections per server; a restore downloads 8 objects at a time by
        // default, and a new connection for every 6th download costs it ~5% (bench/storage.md).
        if (System.getProperty("http.maxConnections") == null) System.setProperty("http.maxConnections", "32");
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int status = commandLine(out, err, args).execute(args);
        out.flush();
        err.flush();
        System.exit(status);
    }
}
