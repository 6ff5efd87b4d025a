package dev.keel.replication.api;

import dev.keel.replication.spi.LocalPaths;
import dev.keel.replication.spi.ReplicaLocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds where a replication setup would write one place twice: a database listed under two names
 * (symbolic links followed, hard links recognized by device and inode), replicas whose locations are
 * equal or nested (in one database or across databases), and local state directories that overlap a
 * replica or each other. The replicator refuses such a setup; the config loader reports it with lines.
 */
public final class Overlaps {
    private Overlaps() {
    }

    /** The first overlap in {@code databases}, in list order; empty when every entry has a place of its own. */
    public static Optional<Overlap> find(List<DatabaseConfig> databases) {
        return find(databases, List.of());
    }

    /**
     * The first overlap among {@code databases} and {@code dir:} entries; an entry's index in the
     * overlap counts the databases first, then the directories ({@code databases.size() + j}). A path
     * entry whose file a dir entry matches, and two dir entries whose trees share a directory (whatever
     * their patterns), are refused; a dir entry's replicas take their whole prefix.
     */
    public static Optional<Overlap> find(List<DatabaseConfig> databases, List<DirectoryConfig> directories) {
        Optional<Overlap> same = sameDatabase(databases);
        if (same.isEmpty()) same = DirectoryOverlaps.find(databases, directories);
        return same.isPresent() ? same : sharedLocation(databases, directories);
    }

    private static Optional<Overlap> sameDatabase(List<DatabaseConfig> databases) {
        Map<Path, Integer> byPath = new HashMap<>();
        Map<Object, Integer> byFile = new HashMap<>();
        for (int i = 0; i < databases.size(); i++) {
            Path real = LocalPaths.followLinks(databases.get(i).path());
            Integer earlier = byPath.putIfAbsent(real, i);
            if (earlier == null) {
                Optional<Object> key = LocalPaths.fileKey(real);
                earlier = key.isPresent() ? byFile.putIfAbsent(key.get(), i) : null;
            }
            if (earlier != null) {
                return Optional.of(new Overlap(Overlap.Kind.SAME_DATABASE, database(databases, earlier, real),
                        database(databases, i, real)));
            }
        }
        return Optional.empty();
    }

    private static Overlap.Entry database(List<DatabaseConfig> databases, int i, Path real) {
        return new Overlap.Entry(i, -1, Overlap.Role.DATABASE, databases.get(i).path().toString(), null, real.toString());
    }

    private record Placed(Overlap.Entry entry, ReplicaLocation location, int order) {
    }

    /**
     * Sorted by space and path with '/' below every other character, a location's descendants follow it
     * directly (nothing else sorts between "a" and "a/b"), so comparing neighbours finds every overlap
     * in n log n, whatever the number of replicas.
     */
    private static Optional<Overlap> sharedLocation(List<DatabaseConfig> databases, List<DirectoryConfig> directories) {
        List<Placed> all = new ArrayList<>();
        List<DatabaseConfig> entries = new ArrayList<>(databases);
        for (DirectoryConfig d : directories) entries.add(d.template());
        for (int i = 0; i < entries.size(); i++) {
            DatabaseConfig db = entries.get(i);
            String dbPath = db.path().toString();
            // A dir entry's databases keep their state beside each file unless it gives a meta-path.
            if (i < databases.size() || db.metaPath() != null) {
                ReplicaLocation meta = ReplicaLocation.local(db.resolvedMetaPath());
                all.add(new Placed(new Overlap.Entry(i, -1, Overlap.Role.META, dbPath, null, meta.display()), meta, all.size()));
            }
            for (int r = 0; r < db.replicas().size(); r++) {
                ReplicaConfig replica = db.replicas().get(r);
                ReplicaLocation at = replica.storage().location();
                all.add(new Placed(new Overlap.Entry(i, r, Overlap.Role.REPLICA, dbPath, replica.name(), at.display()),
                        at, all.size()));
            }
        }
        all.sort(Comparator.comparing((Placed p) -> p.location().space())
                .thenComparing(p -> p.location().path(), Overlaps::comparePaths)
                .thenComparingInt(Placed::order));
        Overlap found = null;
        for (int k = 1; k < all.size(); k++) {
            Placed a = all.get(k - 1);
            Placed b = all.get(k);
            if (!a.location().overlaps(b.location())) continue;
            Placed first = a.order() < b.order() ? a : b;
            Placed second = first == a ? b : a;
            // Report the overlap whose later entry comes first in the setup: the first line to fix.
            if (found == null || order(second) < order(found.second())) {
                found = new Overlap(Overlap.Kind.SHARED_LOCATION, first.entry(), second.entry());
            }
        }
        return Optional.ofNullable(found);
    }

    private static long order(Placed p) {
        return order(p.entry());
    }

    private static long order(Overlap.Entry e) {
        return (long) e.database() << 32 | (e.replica() + 1);
    }

    /** Compares paths as lists of segments: '/' sorts below every other character. */
    static int comparePaths(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x == y) continue;
            if (x == '/') return -1;
            if (y == '/') return 1;
            return Character.compare(x, y);
        }
        return Integer.compare(a.length(), b.length());
    }
}
