package dev.keel.replication.api;

import dev.keel.replication.spi.LocalPaths;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The overlaps only {@code dir:} entries bring: a path entry whose file a dir entry would follow too,
 * and two dir entries whose trees share a directory. Patterns of two dir entries are not compared
 * (whether two globs can match one name is not worth guessing): their trees must be apart.
 */
final class DirectoryOverlaps {
    private DirectoryOverlaps() {
    }

    static Optional<Overlap> find(List<DatabaseConfig> databases, List<DirectoryConfig> directories) {
        for (int j = 0; j < directories.size(); j++) {
            DirectoryConfig dir = directories.get(j);
            Path root = LocalPaths.followLinks(dir.root());
            Overlap.Entry entry = entry(databases.size() + j, dir, root);
            for (int i = 0; i < databases.size(); i++) {
                Path db = LocalPaths.followLinks(databases.get(i).path());
                if (db.startsWith(root) && !db.equals(root) && dir.matches(relative(root, db))) {
                    Overlap.Entry database = new Overlap.Entry(i, -1, Overlap.Role.DATABASE,
                            databases.get(i).path().toString(), null, db.toString());
                    return Optional.of(new Overlap(Overlap.Kind.IN_DIRECTORY, database, entry));
                }
            }
            for (int k = 0; k < j; k++) {
                DirectoryConfig earlier = directories.get(k);
                Path other = LocalPaths.followLinks(earlier.root());
                if (covers(earlier, other, root) || covers(dir, root, other)) {
                    return Optional.of(new Overlap(Overlap.Kind.IN_DIRECTORY, entry(databases.size() + k, earlier, other), entry));
                }
            }
        }
        return Optional.empty();
    }

    /** Does the entry rooted at {@code root} follow files in directory {@code inner}? */
    private static boolean covers(DirectoryConfig dir, Path root, Path inner) {
        return inner.equals(root) || dir.directory().recursive() && inner.startsWith(root);
    }

    private static Overlap.Entry entry(int index, DirectoryConfig dir, Path real) {
        return new Overlap.Entry(index, -1, Overlap.Role.DIRECTORY, dir.root().toString(), null, real.toString());
    }

    private static String relative(Path root, Path file) {
        StringBuilder out = new StringBuilder();
        for (Path part : root.relativize(file)) {
            if (out.length() > 0) out.append('/');
            out.append(part);
        }
        return out.toString();
    }
}
