package dev.keel.cli.fleet;

import dev.keel.cli.config.ConfigOptions;
import dev.keel.cli.config.GoDuration;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.core.fleet.Shard;
import dev.keel.fleet.FleetListener;
import dev.keel.fleet.FleetMigrator;
import dev.keel.fleet.FleetSelection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Options every fleet command shares (a picocli mixin): which databases (a directory, paths, a list
 * file, a config file, a shard of them), the wanted schema, the busy timeout and the parallelism.
 */
public final class FleetOptions {
    @Parameters(paramLabel = "DB_PATH", arity = "0..*", description = "Database files of the fleet.")
    List<Path> paths = new ArrayList<>();

    @Option(names = {"--dir", "-dir"}, paramLabel = "DIR", description = "Every SQLite database in this directory.")
    Path dir;

    @Option(names = {"--pattern", "-pattern"}, paramLabel = "GLOB", description = "Glob on file names in --dir. Default: *.db.")
    String pattern;

    @Option(names = {"--recursive", "-recursive"}, description = "Also look in the subdirectories of --dir.")
    boolean recursive;

    @Option(names = {"--from-file", "-from-file"}, paramLabel = "FILE",
            description = "A text file with one database path per line ('#' comments; relative to the file's directory).")
    Path fromFile;

    @Mixin
    ConfigOptions config;

    @Option(names = {"--shard", "-shard"}, paramLabel = "I/N", description = "Only this stable share of the fleet, e.g. 0/4.")
    String shard;

    @Option(names = {"--schema", "-schema"}, required = true, paramLabel = "PATH",
            description = "The wanted schema: a .sql file, or a directory of .sql files read in name order.")
    Path schema;

    @Option(names = {"--busy-timeout", "-busy-timeout"}, paramLabel = "DURATION", defaultValue = "5s",
            description = "How long to wait for an application's lock before reporting a database busy. Default: ${DEFAULT-VALUE}.")
    String busyTimeout;

    @Option(names = {"--parallel", "-parallel"}, paramLabel = "N", description = "Databases worked on at once. Default: the number of cores.")
    Integer parallel;

    /** Set by picocli: the fleet command, whose output hides the config file's secrets. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private FleetSelection selected;

    /** The fleet, read once from the directories, lists and config the options name (errors name file:line). */
    FleetSelection selection() {
        if (selected == null) selected = read();
        return selected;
    }

    private FleetSelection read() {
        FleetSelection.Builder b = FleetSelection.builder();
        if (dir != null) b.directory(new DatabaseDirectory(dir, pattern, recursive));
        else if (pattern != null || recursive) throw usage("--pattern and --recursive go with --dir", "add --dir DIR");
        b.paths(paths);
        if (fromFile != null) b.fromFile(fromFile);
        if (config.configPath() != null) {
            config.mixedInto(command);
            FleetConfigSelection.addTo(b, config.load());
        }
        if (shard != null) b.shard(Shard.parse(shard));
        return b.build();
    }

    /** A fleet migrator over the selected databases with these options; commands add their own. */
    FleetMigrator.Builder migrator(FleetListener listener) {
        FleetMigrator.Builder b = FleetMigrator.configure().selection(selection()).schema(schema)
                .busyTimeout(GoDuration.parse(busyTimeout)).listener(listener);
        if (parallel != null) b.parallel(parallel);
        return b;
    }

    String schemaLabel() {
        return schema.toString();
    }

    private static KeelException usage(String message, String hint) {
        return new KeelException(ErrorCode.USAGE, message, null, hint);
    }
}
