package dev.keel.cli.config;

import dev.keel.core.KeelException;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.InvalidSettingException;
import dev.keel.replication.api.ReplicaConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one item of {@code dbs}: a {@code path:} entry into a {@link DatabaseConfig} (one database file
 * and its replicas), or a {@code dir:} entry into a {@link DirectoryConfig} (every SQLite file below a
 * directory, each with the entry's settings and replicas + its relative path).
 */
final class DatabaseSection {
    static final List<String> KEYS = List.of("path", "dir", "pattern", "recursive", "watch", "meta-path",
            "monitor-interval", "checkpoint-interval", "min-checkpoint-page-count", "max-checkpoint-page-count",
            "max-shadow-backlog", "replicas");
    /** Keys that only mean something with {@code dir:}. */
    private static final List<String> DIR_KEYS = List.of("pattern", "recursive", "watch");

    private DatabaseSection() {
    }

    /**
     * A {@code dbs} item as read: the database (for a dir entry, the settings every database of it
     * gets, with the directory as path), the directory or null, and the mappings it came from (for
     * lines in later errors).
     */
    record Read(DatabaseConfig config, DirectoryConfig directory, YamlMap map, List<YamlMap> replicas) {
    }

    static Read read(YamlMap map, ReplicaSection.Credentials credentials, ConfigEnvironment env, Set<String> secrets) {
        if (map.keys().contains("replica")) {
            throw map.source().error(map.line("replica"), "'replica:' (a single replica) in " + map.where()
                    + " is Litestream 0.5 syntax; this is the 0.3 format",
                    "write it as a list: 'replicas:' followed by '- url: ...'");
        }
        map.rejectUnknownKeys(KEYS);
        Path path = databaseOrDirectory(map, env);
        Path metaPath = map.filePath("meta-path", env).orElse(null);
        Duration monitor = map.duration("monitor-interval").orElse(null);
        Duration checkpoint = map.duration("checkpoint-interval").orElse(null);
        int minPages = pageCount(map, "min-checkpoint-page-count", DatabaseConfig.DEFAULT_MIN_CHECKPOINT_PAGE_COUNT);
        int maxPages = pageCount(map, "max-checkpoint-page-count", DatabaseConfig.DEFAULT_MAX_CHECKPOINT_PAGE_COUNT);
        long maxShadowBacklog = shadowBacklog(map);

        List<ReplicaConfig> replicas = new ArrayList<>();
        List<YamlMap> items = map.maps("replicas");
        Map<String, Integer> nameLines = new HashMap<>();
        for (YamlMap item : items) {
            ReplicaConfig replica = ReplicaSection.read(item, credentials, env, secrets);
            Integer first = nameLines.putIfAbsent(replica.name(), item.line("name"));
            if (first != null) {
                throw item.error("name", "two replicas of " + path + " are named " + YamlMap.quote(replica.name())
                        + " (the other at line " + first + ")", "give each replica a distinct 'name:'");
            }
            replicas.add(replica);
        }
        DatabaseConfig config;
        try {
            config = new DatabaseConfig(path, metaPath, monitor, checkpoint, minPages, maxPages, replicas, maxShadowBacklog);
        } catch (InvalidSettingException e) {
            throw map.invalid(e);
        }
        return new Read(config, map.has("dir") ? directory(map, config) : null, map, items);
    }

    /** The {@code path:} of a database entry or the {@code dir:} of a directory entry: one of them, not both. */
    private static Path databaseOrDirectory(YamlMap map, ConfigEnvironment env) {
        if (map.has("dir") && map.has("path")) {
            throw map.error(map.line("dir") > map.line("path") ? "dir" : "path", map.where()
                    + " has both 'path:' and 'dir:'", "an entry is one database (path) or every database below a directory"
                    + " (dir); split it into two entries");
        }
        if (!map.has("dir")) {
            for (String key : DIR_KEYS) {
                if (map.has(key)) {
                    throw map.error(key, map.path(key) + " needs 'dir:': it says which files of a directory are databases",
                            "add 'dir: /var/lib/app/tenants' instead of 'path:', or remove '" + key + "'");
                }
            }
            return map.filePath("path", env).orElseThrow(() -> map.error("path",
                    map.where() + " needs a 'path': the database file to replicate (or a 'dir' of databases)",
                    "add 'path: /var/lib/app/app.db'"));
        }
        return map.filePath("dir", env).orElseThrow(() -> map.error("dir",
                map.path("dir") + " is empty", "give the directory that holds the databases"));
    }

    /** The {@code dir:} entry's directory (pattern default {@code *.db}, not recursive) and watch (default on). */
    private static DirectoryConfig directory(YamlMap map, DatabaseConfig template) {
        String pattern = map.string("pattern").orElse(DatabaseDirectory.DEFAULT_PATTERN);
        try {
            DatabaseDirectory.checkPattern(pattern);
        } catch (KeelException e) {
            throw map.error("pattern", map.path("pattern") + ": " + e.getMessage(), e.hint());
        }
        DatabaseDirectory directory = new DatabaseDirectory(template.path(), pattern, map.bool("recursive").orElse(false));
        return new DirectoryConfig(directory, template, map.bool("watch").orElse(true));
    }

    /**
     * Keel's own key: how much WAL the local shadow keeps for a replica that cannot upload (0 in the
     * file: no limit; absent: the replicator's default, 1 GiB). Below a megabyte is almost certainly a
     * missing unit, and would make a replica start over after every short outage.
     */
    private static long shadowBacklog(YamlMap map) {
        Optional<Long> bytes = map.byteSize("max-shadow-backlog");
        if (bytes.isEmpty()) return 0;
        if (bytes.get() == 0) return DatabaseConfig.UNBOUNDED_SHADOW_BACKLOG;
        if (bytes.get() < MIN_SHADOW_BACKLOG) {
            throw map.error("max-shadow-backlog", map.path("max-shadow-backlog") + " is " + bytes.get()
                    + " bytes; a limit this small makes a replica start over after every short outage",
                    "write it with a unit, like 512MB or 1GiB (at least 1MB), or 0 for no limit");
        }
        return bytes.get();
    }

    static final long MIN_SHADOW_BACKLOG = 1_000_000;

    private static int pageCount(YamlMap map, String key, int defaultValue) {
        int n = map.integer(key).orElse(defaultValue);
        if (n <= 0) {
            throw map.error(key, map.path(key) + " must be greater than zero, not " + n,
                    "leave the key out for the default (" + defaultValue + " pages)");
        }
        return n;
    }
}
