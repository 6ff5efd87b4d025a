package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.RelativeReplicaPath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the databases a fleet's replica prefix holds: a fleet's replicas are laid out as
 * {@code <prefix>/<relative db path>/generations/...}, so every path below which an exact snapshot or
 * WAL segment name sits is one database. One listing of the prefix serves discovery and every
 * database's catalog. Names come from the listing and are untrusted: each found database carries the
 * reason it cannot be restored (a {@code ..} component, an absolute path, ...), if any.
 */
public final class ReplicaPrefix {
    /** Most databases one prefix may hold; a listing that finds more is refused as a whole. */
    public static final int DEFAULT_MAX_DATABASES = 10_000;
    private static final Pattern LAYOUT_OBJECT = Pattern.compile("(.*/)?(" + ReplicaLayout.GENERATIONS
            + "/[0-9a-f]{16}/(?:snapshots/[0-9a-f]{8}\\.snapshot\\.lz4|wal/[0-9a-f]{8}_[0-9a-f]{8}\\.wal\\.lz4))", Pattern.DOTALL);

    private ReplicaPrefix() {
    }

    /**
     * One database found below the prefix.
     *
     * @param path    its relative path ("" when the prefix itself is one database's replica)
     * @param objects every object under its {@code generations/}, keys relative to its own replica root
     * @param problem why it cannot be restored below an output directory, or null
     */
    public record Found(String path, List<ObjectInfo> objects, String problem) {
        public Found {
            objects = List.copyOf(objects);
        }

        /** Its replica catalog, built from the prefix's listing. */
        public ReplicaCatalog catalog(String replica) {
            return ReplicaCatalog.of(replica, objects);
        }
    }

    /** Lists {@code prefix} once and finds its databases, sorted by path. */
    public static List<Found> discover(ReplicaClient prefix, int maxDatabases) {
        List<ObjectInfo> objects;
        try {
            objects = prefix.list("");
        } catch (IOException e) {
            throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "cannot list the replica prefix: " + e.getMessage(),
                    prefix.describe(), "check that the storage is reachable and the credentials are right", e);
        }
        return discover(prefix.describe(), objects, maxDatabases);
    }

    /** The databases in a listing of {@code prefix}, sorted by path; more than {@code maxDatabases} is refused. */
    public static List<Found> discover(String prefix, List<ObjectInfo> listing, int maxDatabases) {
        // Keys of the map are database roots as key prefixes: "" for the prefix itself, else "a/b/".
        Map<String, List<ObjectInfo>> roots = new TreeMap<>();
        for (ObjectInfo o : listing) {
            Matcher m = LAYOUT_OBJECT.matcher(o.key());
            if (!m.matches()) continue;
            String root = m.group(1) == null ? "" : m.group(1);
            if (!roots.containsKey(root) && roots.size() >= maxDatabases) {
                throw new KeelException(ErrorCode.BAD_INPUT, "the prefix holds more than " + maxDatabases + " databases",
                        prefix, "restore a narrower prefix (a subdirectory of this one)");
            }
            roots.computeIfAbsent(root, r -> new ArrayList<>());
        }
        for (ObjectInfo o : listing) {
            String root = owner(o.key(), roots);
            if (root != null) {
                roots.get(root).add(new ObjectInfo(o.key().substring(root.length()), o.size(), o.lastModified()));
            }
        }
        List<Found> found = new ArrayList<>();
        for (Map.Entry<String, List<ObjectInfo>> e : roots.entrySet()) {
            String root = e.getKey();
            String path = root.length() > 1 ? root.substring(0, root.length() - 1) : root;
            found.add(new Found(path, e.getValue(), problem(root, path, roots)));
        }
        return found;
    }

    private static String problem(String root, String path, Map<String, List<ObjectInfo>> roots) {
        if (root.isEmpty()) {
            return "the prefix itself holds one database's replica (generations/ at its top); restore it with -o FILE";
        }
        String problem = RelativeReplicaPath.problem(path);
        if (problem != null) return problem;
        // A database whose path lies inside another's would be restored inside that database's file.
        for (int slash = root.indexOf('/'); slash >= 0 && slash < root.length() - 1; slash = root.indexOf('/', slash + 1)) {
            String outer = root.substring(0, slash + 1);
            if (roots.containsKey(outer)) {
                return "the path lies below database '" + outer.substring(0, outer.length() - 1) + "', which is restored as a file";
            }
        }
        return null;
    }

    /** The longest database root that has {@code key} under its {@code generations/}, or null. */
    private static String owner(String key, Map<String, List<ObjectInfo>> roots) {
        String marker = ReplicaLayout.GENERATIONS + "/";
        for (int at = key.lastIndexOf(marker); at >= 0; at = at == 0 ? -1 : key.lastIndexOf(marker, at - 1)) {
            if (at > 0 && key.charAt(at - 1) != '/') continue;
            String root = key.substring(0, at);
            if (roots.containsKey(root)) return root;
        }
        return null;
    }
}
