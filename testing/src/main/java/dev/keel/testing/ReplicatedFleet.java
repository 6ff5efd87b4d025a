package dev.keel.testing;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A fleet of real SQLite databases replicated by Keel's {@link Replicator}, each to its own replica
 * (typically {@code <prefix>/<relative path>}): what fleet restore tests restore and compare row by row.
 */
public final class ReplicatedFleet {
    private ReplicatedFleet() {
    }

    /** {@code count} relative paths, nested at several depths: "tenant-00.db", "eu/tenant-01.db", "eu/de/tenant-02.db", ... */
    public static List<String> nestedPaths(int count) {
        String[] dirs = {"", "eu/", "eu/de/", "us/east/a/"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(dirs[i % dirs.length] + String.format("tenant-%02d.db", i));
        return out;
    }

    /**
     * Creates each database at {@code sourceDir/<path>} with rows of its own, replicates it with Keel to
     * {@code replica.apply(path)} (a snapshot, then two more transactions shipped as WAL), and returns
     * each path's rows as {@link #rows} reads them.
     */
    public static Map<String, List<String>> write(Path sourceDir, List<String> paths, Function<String, ReplicaStorage> replica)
            throws Exception {
        List<DatabaseConfig> configs = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < paths.size(); i++) {
                Path db = sourceDir.resolve(paths.get(i));
                Files.createDirectories(db.getParent());
                Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                connections.add(c);
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA journal_mode = wal");
                    s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
                }
                insert(c, paths.get(i), 0, 5 + i);
                configs.add(DatabaseConfig.of(db, List.of(ReplicaConfig.of(replica.apply(paths.get(i))))));
            }
            try (Replicator r = Replicator.configure().databases(configs).backgroundLoops(false).start()) {
                r.sync();
                for (int i = 0; i < paths.size(); i++) insert(connections.get(i), paths.get(i), 100, 3 + i % 4);
                r.sync();
                for (int i = 0; i < paths.size(); i++) insert(connections.get(i), paths.get(i), 200, 1);
                r.sync();
            }
            Map<String, List<String>> rows = new LinkedHashMap<>();
            for (int i = 0; i < paths.size(); i++) rows.put(paths.get(i), rows(connections.get(i)));
            return rows;
        } finally {
            for (Connection c : connections) c.close();
        }
    }

    private static void insert(Connection c, String path, int from, int count) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
            for (int i = from; i < from + count; i++) {
                ps.setInt(1, i);
                ps.setString(2, path + " row " + i + " " + "x".repeat(i * 7 % 500));
                ps.executeUpdate();
            }
        }
    }

    /** Every row of table t, in id order, as "id|v". */
    public static List<String> rows(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            return rows(c);
        }
    }

    private static List<String> rows(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, v FROM t ORDER BY id")) {
            while (rs.next()) out.add(rs.getLong(1) + "|" + rs.getString(2));
        }
        return out;
    }
}
