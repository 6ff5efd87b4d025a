package dev.keel.replication;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for tests: an application connection, table dumps, restores. */
public final class TestDatabases {
    private TestDatabases() {
    }

    /** An application connection in WAL mode with a busy timeout, as a well-behaved application opens it. */
    public static Connection open(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute("PRAGMA journal_mode = wal");
            s.execute("PRAGMA synchronous = NORMAL");
        }
        return c;
    }

    public static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) s.execute(q);
        }
    }

    /** Every row of every table except Keel's own, as text, in a stable order. */
    public static List<String> dump(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            return dump(c);
        }
    }

    public static List<String> dump(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\\_keel\\_%' ESCAPE '\\' "
                     + "AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
            while (rs.next()) tables.add(rs.getString(1));
        }
        for (String t : tables) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM \"" + t + "\" ORDER BY 1")) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder sb = new StringBuilder(t).append(':');
                    for (int i = 1; i <= n; i++) {
                        Object v = rs.getObject(i);
                        sb.append(v instanceof byte[] b ? "blob" + java.util.Arrays.hashCode(b) : String.valueOf(v)).append('|');
                    }
                    out.add(sb.toString());
                }
            }
        }
        return out;
    }

    /**
     * Restores the latest state of a directory replica into {@code out} with the test-only restore
     * (independent of the production restore, so an engine test never passes because both agree on a
     * mistake) and checks {@code PRAGMA integrity_check}.
     */
    public static Path restore(Path replicaDir, Path out) throws java.io.IOException, SQLException {
        TestRestore.restore(replicaDir, out);
        String check = integrityCheck(out);
        if (!"ok".equals(check)) throw new AssertionError("restored database fails integrity_check: " + check);
        return out;
    }

    /** Restores the latest state of a directory replica into {@code out} with the production {@code Restorer}. */
    public static Path restoreWithRestorer(Path replicaDir, Path out) throws java.io.IOException {
        try (dev.keel.replication.file.FileReplicaClient client = new dev.keel.replication.file.FileReplicaClient(replicaDir)) {
            dev.keel.replication.restore.Restorer.configure().from(client).output(out).restore();
        }
        return out;
    }

    public static String integrityCheck(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
