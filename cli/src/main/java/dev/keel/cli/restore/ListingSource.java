package dev.keel.cli.restore;

import dev.keel.cli.config.ConfigOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What a listing reads (a mixin): a database in the config file, optionally one of its replicas, or one replica URL. */
public final class ListingSource {
    @Mixin
    ConfigOptions config;

    @Option(names = {"-replica", "--replica"}, paramLabel = "NAME", description = "Only this replica of the database.")
    String replica;

    @Parameters(paramLabel = "DB_PATH|REPLICA_URL", description = "A database in the config file, or a replica URL.")
    String target;

    /** Set by picocli: the listing command, whose output and errors hide the config file's secrets. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    ReplicaSources open() {
        config.mixedInto(command);
        return ReplicaSources.resolve(target, config, replica);
    }
}
