package dev.keel.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Real tenant databases for fleet tests: one {@code items} table with rows, and the schemas they migrate to. */
final class Tenants {
    static final String CURRENT = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER)";
    /** A type change (the 12-step rebuild) plus a new index. */
    static final String WANTED = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL);\n"
            + "CREATE INDEX items_name ON items(name);\n";
    /** A new NOT NULL column without a default: the linter refuses it on every non-empty table. */
    static final String NOT_NULL_WITHOUT_DEFAULT = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER,"
            + " sku TEXT NOT NULL);\n";
    /** Drops a column: needs --allow-deletions. */
    static final String DROPS_PRICE = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n";

    private Tenants() {
    }

    /** {@code count} databases tenant-000.db ... in {@code dir}, tenant i with i + 1 rows. */
    static List<Path> create(Path dir, int count) throws SQLException {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(database(dir.resolve(String.format("tenant-%03d.db", i)), i + 1));
        return out;
    }

    static Path database(Path db, int rows) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute(CURRENT);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (name, price) VALUES (?, ?)")) {
                for (int r = 0; r < rows; r++) {
                    ps.setString(1, "item " + r);
                    ps.setInt(2, r * 3);
                    ps.executeUpdate();
                }
            }
            c.commit();
        }
        return db;
    }

    /** Adds a row that makes {@link #POISON_POST} fail on this database only. */
    static void poison(Path db) throws SQLException {
        execute(db, "INSERT INTO items (name, price) VALUES ('poison', 0)");
    }

    /** Post SQL that fails (NOT NULL constraint) on a poisoned database and does nothing elsewhere. */
    static final String POISON_POST = "INSERT INTO items (name) SELECT NULL FROM items WHERE name = 'poison';\n";

    static void execute(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The declared type of items.price: INTEGER before the migration, REAL after. */
    static String priceType(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT type FROM pragma_table_info('items') WHERE name = 'price'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static long rows(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Path schema(Path dir, String sql) throws Exception {
        return Files.writeString(dir.resolve("schema-" + Integer.toHexString(sql.hashCode()) + ".sql"), sql);
    }
}
