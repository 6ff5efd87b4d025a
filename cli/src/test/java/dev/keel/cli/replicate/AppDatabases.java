package dev.keel.cli.replicate;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Databases as an application leaves them for the commands' tests: WAL mode, one table {@code t(id, v)}. */
public final class AppDatabases {
    private AppDatabases() {
    }

    /** Creates {@code dir/name} in WAL mode with table t holding {@code rows} as its values, in order. */
    public static Path walDatabase(Path dir, String name, String... rows) throws Exception {
        Path db = dir.resolve(name);
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            for (String row : rows) s.execute("INSERT INTO t (v) VALUES ('" + row + "')");
        }
        return db;
    }

    /** Table t's values in id order. */
    public static List<String> rows(Path db) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM t ORDER BY id")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
