package dev.keel.fleet;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.core.fleet.Shard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The databases a fleet command works on, in a stable order (sorted by name): every SQLite file of
 * one or more directories ({@link DatabaseDirectory}), database paths given one by one or read from a
 * list file, optionally narrowed to a {@link Shard}. A named path that is missing or not a SQLite
 * database is an error; a file in a directory that matches the pattern but is not a database is
 * left out and listed in {@link #ignored()}. Two entries for one file (also through a symbolic
 * link) are an error, so no database is migrated twice at once.
 */
public final class FleetSelection {
    private final List<FleetDatabase> databases;
    private final List<Path> ignored;
    private final Shard shard;

    private FleetSelection(List<FleetDatabase> databases, List<Path> ignored, Shard shard) {
        this.databases = List.copyOf(databases);
        this.ignored = List.copyOf(ignored);
        this.shard = shard;
    }

    /** A selection of exactly these databases (already checked), in their name order. */
    public static FleetSelection of(List<FleetDatabase> databases) {
        List<FleetDatabase> sorted = new ArrayList<>(databases);
        sorted.sort(null);
        return new FleetSelection(sorted, List.of(), Shard.ALL);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The selected databases, sorted by name; only this shard's share when a shard was given. */
    public List<FleetDatabase> databases() {
        return databases;
    }

    /** Files in the directories that matched the pattern but are not SQLite databases (left out). */
    public List<Path> ignored() {
        return ignored;
    }

    public Shard shard() {
        return shard;
    }

    public int size() {
        return databases.size();
    }

    /** Collects the sources of a selection; {@link #build()} reads directories and lists and checks every entry. */
    public static final class Builder {
        private final List<DatabaseDirectory> directories = new ArrayList<>();
        private final List<Path> paths = new ArrayList<>();
        private final List<Path> listFiles = new ArrayList<>();
        private Shard shard = Shard.ALL;

        public Builder directory(DatabaseDirectory directory) {
            directories.add(Objects.requireNonNull(directory, "directory"));
            return this;
        }

        /** A database file named directly (a command-line argument, a config entry). */
        public Builder path(Path path) {
            paths.add(Objects.requireNonNull(path, "path"));
            return this;
        }

        public Builder paths(List<Path> list) {
            list.forEach(this::path);
            return this;
        }

        /** A text file listing database paths ({@code --from-file}). */
        public Builder fromFile(Path file) {
            listFiles.add(Objects.requireNonNull(file, "file"));
            return this;
        }

        public Builder shard(Shard value) {
            this.shard = Objects.requireNonNull(value, "shard");
            return this;
        }

        /** True when no source was given at all (a usage error for commands). */
        public boolean isEmpty() {
            return directories.isEmpty() && paths.isEmpty() && listFiles.isEmpty();
        }

        public FleetSelection build() {
            if (isEmpty()) {
                throw new KeelException(ErrorCode.USAGE, "no databases given", null,
                        "choose the fleet with --dir DIR [--pattern '*.db'] [--recursive], database paths, --from-file LIST or --config FILE");
            }
            List<Candidate> all = new ArrayList<>();
            List<Path> ignored = new ArrayList<>();
            Map<Path, String> seen = new HashMap<>();
            for (DatabaseDirectory dir : directories) {
                for (Path file : dir.candidates()) {
                    if (!DatabaseFiles.isDatabase(file)) {
                        ignored.add(file);
                        continue;
                    }
                    add(all, seen, new Candidate(new FleetDatabase(file, display(dir, file)), dir.relativeName(file)),
                            display(dir, file));
                }
            }
            for (Path path : paths) add(all, seen, named(path, path.toString()), path.toString());
            for (Path list : listFiles) {
                for (ListFile.Entry e : ListFile.read(list)) add(all, seen, named(e.path(), e.where()), e.where());
            }
            List<FleetDatabase> share = all.stream().filter(c -> shard.contains(c.shardKey())).map(Candidate::db).sorted().toList();
            return new FleetSelection(share, ignored, shard);
        }

        /** A directory's database is shown (and sharded) by the directory as given plus its relative name. */
        private static String display(DatabaseDirectory dir, Path file) {
            return dir.root().resolve(dir.relativeName(file)).toString();
        }

        /**
         * A database and the name its shard is chosen by: the relative path for a directory's databases
         * (hosts that mount the fleet in different places agree), the path as given otherwise.
         */
        private record Candidate(FleetDatabase db, String shardKey) {
        }

        private static Candidate named(Path path, String where) {
            if (Files.isDirectory(path)) {
                throw new KeelException(ErrorCode.BAD_INPUT, "is a directory, not a database file", where,
                        "use --dir " + path + " to select the databases in a directory");
            }
            if (!Files.exists(path)) {
                throw new KeelException(ErrorCode.NOT_FOUND, "database does not exist: " + path, where,
                        "check the path; a fleet command never creates databases");
            }
            if (!DatabaseFiles.isDatabase(path)) {
                throw new KeelException(ErrorCode.BAD_INPUT, "not a SQLite database: " + path, where,
                        "list only SQLite database files (a database starts with 'SQLite format 3' and holds at least one page)");
            }
            return new Candidate(new FleetDatabase(path, path.toString()), path.toString());
        }

        /** Adds {@code db} unless the same file (links followed) is already in; then it is an error naming both. */
        private static void add(List<Candidate> all, Map<Path, String> seen, Candidate candidate, String where) {
            Path real;
            try {
                real = candidate.db().path().toRealPath();
            } catch (IOException e) {
                throw new KeelException(ErrorCode.NOT_FOUND, "database disappeared while the fleet was read: " + e.getMessage(),
                        where, "run the command again");
            }
            String first = seen.putIfAbsent(real, where);
            if (first != null) {
                throw new KeelException(ErrorCode.BAD_INPUT, "database " + real + " is selected twice (also by " + first + ")", where,
                        "name each database once; a symbolic link and its target are the same database");
            }
            all.add(candidate);
        }
    }
}
