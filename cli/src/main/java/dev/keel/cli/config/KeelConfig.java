package dev.keel.cli.config;

import dev.keel.core.Redactor;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.spi.LocalPaths;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded config file (Litestream 0.3's {@code litestream.yml} format): the databases to
 * replicate, ready for the replication engine, plus the daemon settings around them.
 *
 * @param source    the file it was read from
 * @param addr      bind address for metrics and status ({@code addr}), or null when not serving
 * @param exec      command to run beside replication ({@code exec}), or null
 * @param logging   the {@code logging} block
 * @param databases one entry per {@code dbs} item, in file order, credentials already resolved
 * @param redactor  hides the file's secrets (credentials, URL passwords) in anything shown to people
 * @param branches  directories of branches the daemon deletes when they expire ({@code branches})
 */
public record KeelConfig(Path source, String addr, String exec, Logging logging, List<DatabaseConfig> databases,
                         Redactor redactor, List<Path> branches) {
    public KeelConfig {
        Objects.requireNonNull(source, "source");
        redactor = redactor == null ? Redactor.URLS : redactor;
        logging = logging == null ? Logging.DEFAULT : logging;
        databases = List.copyOf(databases);
        branches = branches == null ? List.of() : List.copyOf(branches);
    }

    /** A config without branch directories. */
    public KeelConfig(Path source, String addr, String exec, Logging logging, List<DatabaseConfig> databases, Redactor redactor) {
        this(source, addr, exec, logging, databases, redactor, List.of());
    }

    /**
     * The configured database that {@code path} names, compared as the replicator compares them: with
     * symbolic links followed, so a link to a configured database, or the target of a configured link,
     * finds the entry (the loader refuses two entries for one file, so there is at most one).
     */
    public Optional<DatabaseConfig> database(Path path) {
        Path wanted = LocalPaths.followLinks(path);
        return databases.stream().filter(db -> LocalPaths.followLinks(db.path()).equals(wanted)).findFirst();
    }

    /**
     * The {@code logging} block: level (debug, info, warn, error), type (text, json) and whether
     * logs go to stderr instead of stdout.
     */
    public record Logging(String level, String type, boolean stderr) {
        public static final Logging DEFAULT = new Logging("info", "text", false);

        public Logging {
            level = level == null ? "info" : level;
            type = type == null ? "text" : type;
        }
    }
}
