package dev.keel.cli.schema;

import dev.keel.cli.config.GoDuration;
import dev.keel.schema.Migrator;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options the schema commands share (a picocli mixin): the database, the wanted schema, the busy timeout. */
public final class SchemaOptions {
    @Option(names = {"--db", "-db"}, required = true, paramLabel = "DB_PATH", description = "The SQLite database to compare or migrate.")
    Path db;

    @Option(names = {"--schema", "-schema"}, required = true, paramLabel = "PATH",
            description = "The wanted schema: a .sql file, or a directory of .sql files read in name order.")
    Path schema;

    @Option(names = {"--busy-timeout", "-busy-timeout"}, paramLabel = "DURATION", defaultValue = "5s",
            description = "How long to wait for another connection's lock (Go duration, e.g. 5s, 1m). Default: ${DEFAULT-VALUE}.")
    String busyTimeout;

    /** A Migrator configured with these options; commands add their own. */
    Migrator.Builder builder() {
        return Migrator.configure().database(db).schema(schema).busyTimeout(GoDuration.parse(busyTimeout));
    }

    String schemaLabel() {
        return schema.toString();
    }
}
