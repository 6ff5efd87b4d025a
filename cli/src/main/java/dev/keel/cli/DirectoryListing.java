package dev.keel.cli;

import dev.keel.core.KeelException;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.ReplicaConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A {@code dir:} entry as {@code keel databases} shows it: the databases it stands for now (each
 * SQLite file matching its pattern, with its relative name and replicas), or why the directory could
 * not be read. Files that are not databases yet are left out, as the replicator leaves them.
 */
record DirectoryListing(DirectoryConfig entry, List<DatabaseConfig> databases, String error) {

    static DirectoryListing expand(DirectoryConfig entry) {
        try {
            List<DatabaseConfig> found = new ArrayList<>();
            for (Path file : entry.directory().databases()) found.add(entry.database(file));
            return new DirectoryListing(entry, found, null);
        } catch (KeelException e) {
            return new DirectoryListing(entry, List.of(), e.getMessage());
        }
    }

    private String name(DatabaseConfig db) {
        return entry.directory().relativeName(db.path());
    }

    /** A heading for the entry, then one line per database: relative name, path and replica URLs. */
    void print(PrintWriter out, UnaryOperator<String> redact) {
        DatabaseDirectory d = entry.directory();
        out.println();
        out.println(redact.apply("dir " + d.root() + " (pattern '" + d.pattern() + "'" + (d.recursive() ? ", recursive" : "")
                + (entry.watch() ? "" : ", watch off") + "): "
                + (error != null ? "cannot list it: " + error : databases.size() + (databases.size() == 1 ? " database" : " databases"))));
        if (databases.isEmpty()) return;
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"name", "path", "replicas"});
        for (DatabaseConfig db : databases) {
            rows.add(new String[]{name(db), db.path().toString(),
                    String.join(",", db.replicas().stream().map(r -> r.storage().describe()).toList())});
        }
        int nameWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
        int pathWidth = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0) + 2;
        for (String[] row : rows) {
            out.println(redact.apply("  " + row[0] + " ".repeat(nameWidth - row[0].length()) + row[1]
                    + " ".repeat(pathWidth - row[1].length()) + row[2]));
        }
    }

    /** Each database as {@code --json} shows a path entry, plus the entry's directory and its relative name. */
    List<Map<String, Object>> databasesJson() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (DatabaseConfig db : databases) {
            Map<String, Object> m = DatabasesCommand.json(db);
            m.put("dir", entry.root().toString());
            m.put("name", name(db));
            out.add(m);
        }
        return out;
    }

    /** The entry itself: directory, pattern, recursive, watch, replica prefixes, and what it expands to. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dir", entry.root().toString());
        m.put("pattern", entry.directory().pattern());
        m.put("recursive", entry.directory().recursive());
        m.put("watch", entry.watch());
        List<Object> replicas = new ArrayList<>();
        for (ReplicaConfig r : entry.replicas()) {
            replicas.add(Map.of("name", r.name(), "type", r.storage().type(), "url", r.storage().describe()));
        }
        m.put("replicas", replicas);
        m.put("databases", databases.stream().map(this::name).toList());
        if (error != null) m.put("error", error);
        return m;
    }
}
