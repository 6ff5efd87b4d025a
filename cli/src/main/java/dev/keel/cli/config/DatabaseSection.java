package dev.keel.cli.config;

import dev.keel.replication.api.DatabaseConfig;
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
 * Reads one item of {@code dbs} into a {@link DatabaseConfig}: one database file and its replicas.
 * Directory and pattern entries (many databases from one item) would be a sibling of this class.
 */
final class DatabaseSection {
    static final List<String> KEYS = List.of("path", "meta-path", "monitor-interval", "checkpoint-interval",
            "min-checkpoint-page-count", "max-checkpoint-page-count", "max-shadow-backlog", "replicas");

    private DatabaseSection() {
    }

    /** A {@code dbs} item as read: the database, and the mappings it came from (for lines in later errors). */
    record Read(DatabaseConfig config, YamlMap map, List<YamlMap> replicas) {
    }

    static Read read(YamlMap map, ReplicaSection.Credentials credentials, ConfigEnvironment env, Set<String> secrets) {
        if (map.keys().contains("replica")) {
            throw map.source().error(map.line("replica"), "'replica:' (a single replica) in " + map.where()
                    + " is Litestream 0.5 syntax; this is the 0.3 format",
                    "write it as a list: 'replicas:' followed by '- url: ...'");
        }
        map.rejectUnknownKeys(KEYS);
        Path path = map.filePath("path", env).orElseThrow(() -> map.error("path",
                map.where() + " needs a 'path': the database file to replicate", "add 'path: /var/lib/app/app.db'"));
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
        try {
            return new Read(new DatabaseConfig(path, metaPath, monitor, checkpoint, minPages, maxPages, replicas,
                    maxShadowBacklog), map, items);
        } catch (InvalidSettingException e) {
            throw map.invalid(e);
        }
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
