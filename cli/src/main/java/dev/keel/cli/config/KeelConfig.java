package dev.keel.cli.config;

import dev.keel.core.Redactor;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.HeldMemory;
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
 * @param directories one entry per {@code dbs} item with {@code dir:}, in file order (not in {@code databases})
 * @param branches  directories of branches the daemon deletes when they expire ({@code branches})
 * @param server    how {@code addr} serves ({@code server}: readiness bound, per-database metrics)
 * @param heartbeat the URL to ping while everything is replicated ({@code heartbeat-url}), or null
 * @param heldMemory the native memory the databases held open may take ({@code held-memory})
 */
public record KeelConfig(Path source, String addr, String exec, Logging logging, List<DatabaseConfig> databases,
                         Redactor redactor, List<DirectoryConfig> directories, List<Path> branches, Server server,
                         Heartbeat heartbeat, HeldMemory heldMemory) {
    public KeelConfig {
        server = server == null ? Server.DEFAULT : server;
        heldMemory = heldMemory == null ? HeldMemory.DEFAULT : heldMemory;
        Objects.requireNonNull(source, "source");
        redactor = redactor == null ? Redactor.URLS : redactor;
        logging = logging == null ? Logging.DEFAULT : logging;
        databases = List.copyOf(databases);
        directories = directories == null ? List.of() : List.copyOf(directories);
        branches = branches == null ? List.of() : List.copyOf(branches);
    }

    /** A config with the default {@code held-memory}. */
    public KeelConfig(Path source, String addr, String exec, Logging logging, List<DatabaseConfig> databases,
                      Redactor redactor, List<DirectoryConfig> directories, List<Path> branches, Server server,
                      Heartbeat heartbeat) {
        this(source, addr, exec, logging, databases, redactor, directories, branches, server, heartbeat, null);
    }

    /** A config with the default {@code server} settings. */
    public KeelConfig(Path source, String addr, String exec, Logging logging, List<DatabaseConfig> databases,
                      Redactor redactor, List<DirectoryConfig> directories, List<Path> branches) {
        this(source, addr, exec, logging, databases, redactor, directories, branches, Server.DEFAULT, null, null);
    }

    /** A config without {@code dir:} entries. */
    public KeelConfig(Path source, String addr, String exec, Logging logging, List<DatabaseConfig> databases,
                      Redactor redactor) {
        this(source, addr, exec, logging, databases, redactor, List.of(), List.of(), null, null, null);
    }

    /**
     * Every database the file stands for now: the {@code path:} entries, then the SQLite files each
     * {@code dir:} entry matches at this moment (opens each candidate to read its header: not for a
     * process that has them open through SQLite).
     */
    public List<DatabaseConfig> databasesNow() {
        List<DatabaseConfig> all = new java.util.ArrayList<>(databases);
        for (DirectoryConfig d : directories) {
            for (Path file : d.directory().databases()) all.add(d.database(file));
        }
        return all;
    }

    /** True when the file lists no database and no directory of databases. */
    public boolean isEmpty() {
        return databases.isEmpty() && directories.isEmpty();
    }

    /**
     * The configured database that {@code path} names, compared as the replicator compares them: with
     * symbolic links followed, so a link to a configured database, or the target of a configured link,
     * finds the entry (the loader refuses two entries for one file, so there is at most one).
     */
    public Optional<DatabaseConfig> database(Path path) {
        Path wanted = LocalPaths.followLinks(path);
        Optional<DatabaseConfig> listed = databases.stream().filter(db -> LocalPaths.followLinks(db.path()).equals(wanted)).findFirst();
        return listed.isPresent() ? listed : inDirectory(wanted);
    }

    /** The database a {@code dir:} entry stands for at {@code real} (whether or not the file exists now). */
    private Optional<DatabaseConfig> inDirectory(Path real) {
        for (DirectoryConfig d : directories) {
            Path root = LocalPaths.followLinks(d.root());
            if (!real.startsWith(root) || real.equals(root)) continue;
            StringBuilder relative = new StringBuilder();
            for (Path part : root.relativize(real)) relative.append(relative.length() == 0 ? "" : "/").append(part);
            if (d.matches(relative.toString())) return Optional.of(d.database(relative.toString()));
        }
        return Optional.empty();
    }

    /** The {@code server} block: {@code ready-within} and {@code per-database-metrics}. */
    public record Server(java.time.Duration readyWithin, dev.keel.server.MetricsDetail perDatabaseMetrics) {
        public static final Server DEFAULT = new Server(dev.keel.server.ServerOptions.DEFAULT_READY_WITHIN,
                dev.keel.server.MetricsDetail.ALL);
    }

    /**
     * The {@code logging} block: level (debug, info, warn, error), type (text, json) and whether
     * logs go to stderr instead of stdout.
     */
    /**
     * {@code heartbeat-url} and {@code heartbeat-interval}: an HTTP GET to {@code url} every {@code interval}
     * while every database is replicated within it (see {@link dev.keel.replication.ops.Heartbeat}).
     */
    public record Heartbeat(java.net.URI url, java.time.Duration interval) {
        public Heartbeat {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(interval, "interval");
        }

        @Override
        public String toString() {
            return "Heartbeat[" + Redactor.urls(url.toString()) + " every " + interval + "]";
        }
    }

    public record Logging(String level, String type, boolean stderr) {
        public static final Logging DEFAULT = new Logging("info", "text", false);

        public Logging {
            level = level == null ? "info" : level;
            type = type == null ? "text" : type;
        }
    }
}
