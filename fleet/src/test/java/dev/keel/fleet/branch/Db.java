package dev.keel.fleet.branch;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Real SQLite for the branch tests: an application's connection, statements, and what a file holds. */
final class Db {
    private Db() {
    }

    /** An application connection in WAL mode, as a well-behaved application opens one. */
    static Connection open(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        exec(c, "PRAGMA busy_timeout = 5000", "PRAGMA journal_mode = wal", "PRAGMA synchronous = NORMAL");
        return c;
    }

    static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) s.execute(q);
        }
    }

    static long number(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<String> strings(Path db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    static String integrity(Path db) throws SQLException {
        return String.join("; ", strings(db, "PRAGMA integrity_check"));
    }

    /** A WAL database with a table {@code t} of {@code rows} rows of about {@code rowBytes} bytes. */
    static void create(Path db, int rows, int rowBytes) throws SQLException {
        try (Connection c = open(db)) {
            exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)",
                    "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < " + rows + ") "
                            + "INSERT INTO t (id, v) SELECT x, randomblob(" + rowBytes + ") FROM k");
        }
    }
}
