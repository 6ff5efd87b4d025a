package dev.keel.bench.schema;

import dev.keel.schema.Migrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Declarative-migration benchmarks, each against a baseline measured in the same run:
 * <ol>
 * <li>rebuild of a 1M-row table for a column type change: {@code keel migrate} (in-process) vs the
 *     hand-written 12-step SQL run through sqlite-jdbc on an identical copy. Target ratio <= 1.2.</li>
 * <li>planning a 200-table schema in-process ({@code Migrator.diff()}): target <= 0.5 s; the
 *     baseline is only loading that schema into an in-memory SQLite.</li>
 * </ol>
 * Arguments: [rows (default 1000000)] [runs (default 3)].
 */
public final class SchemaBench {
    private static final String OLD_TABLE = "CREATE TABLE item (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, price INTEGER,"
            + " qty INTEGER NOT NULL DEFAULT 0, note TEXT)";
    private static final String NEW_TABLE = "CREATE TABLE item (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, price REAL,"
            + " qty INTEGER NOT NULL DEFAULT 0, note TEXT)";
    private static final String INDEXES = "CREATE UNIQUE INDEX item_sku ON item(sku);\nCREATE INDEX item_price ON item(price);\n";

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("keel-schema-bench");
        try {
            rebuild(dir, rows, runs);
            planning(dir, runs * 3);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void rebuild(Path dir, int rows, int runs) throws Exception {
        Path template = dir.resolve("template.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + template); Statement st = c.createStatement()) {
            st.execute(OLD_TABLE);
            for (String s : INDEXES.split(";\n")) st.execute(s);
            c.setAutoCommit(false);
            Random random = new Random(42);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO item VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= rows; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "sku-" + i);
                    ps.setInt(3, random.nextInt(100_000));
                    ps.setInt(4, random.nextInt(50));
                    ps.setString(5, random.nextInt(4) == 0 ? null : "note " + random.nextInt(1000));
                    ps.addBatch();
                    if (i % 10_000 == 0) ps.executeBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
        Path schema = dir.resolve("schema.sql");
        Files.writeString(schema, NEW_TABLE + ";\n" + INDEXES);
        warmUp(dir, schema);
        List<Double> baseline = new ArrayList<>();
        List<Double> keel = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            // alternate the order so page-cache warmth does not favour one side
            for (int side = 0; side < 2; side++) {
                boolean keelSide = (run + side) % 2 == 0;
                Path db = dir.resolve("run.db");
                Files.copy(template, db, StandardCopyOption.REPLACE_EXISTING);
                long start = System.nanoTime();
                if (keelSide) Migrator.configure().database(db).schema(schema).load().migrate();
                else handWritten(db);
                double seconds = (System.nanoTime() - start) / 1e9;
                verify(db, rows);
                (keelSide ? keel : baseline).add(seconds);
            }
        }
        double b = median(baseline);
        double k = median(keel);
        System.out.printf("rebuild of %,d rows (INTEGER -> REAL), median of %d%n", rows, runs);
        System.out.printf("  hand-written 12-step SQL via sqlite-jdbc (baseline)  %7.3f s%n", b);
        System.out.printf("  keel migrate (in-process)                            %7.3f s   ratio %.2f   target <= 1.20: %s%n",
                k, k / b, k / b <= 1.2 ? "met" : "MISSED");
    }

    /** Loads and JIT-compiles both code paths on a small table, so the timed runs compare steady states. */
    private static void warmUp(Path dir, Path schema) throws SQLException {
        for (int i = 0; i < 5; i++) {
            Path db = dir.resolve("warm" + i + ".db");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                st.execute(OLD_TABLE);
                for (String s : INDEXES.split(";\n")) st.execute(s);
                st.execute("INSERT INTO item (sku, price) VALUES ('a', 1), ('b', 2)");
            }
            if (i % 2 == 0) Migrator.configure().database(db).schema(schema).load().migrate();
            else handWritten(db);
        }
    }

    /** SQLite's documented 12-step procedure, written by hand for this one change. */
    private static void handWritten(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("PRAGMA foreign_keys = OFF");
            st.execute("BEGIN IMMEDIATE");
            st.execute(NEW_TABLE.replace("CREATE TABLE item", "CREATE TABLE new_item"));
            st.execute("INSERT INTO new_item (id, sku, price, qty, note) SELECT id, sku, price, qty, note FROM item");
            st.execute("DROP TABLE item");
            st.execute("ALTER TABLE new_item RENAME TO item");
            for (String s : INDEXES.split(";\n")) st.execute(s);
            st.execute("PRAGMA foreign_key_check");
            st.execute("COMMIT");
        }
    }

    private static void verify(Path db, int rows) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*), (SELECT type FROM pragma_table_info('item') WHERE name = 'price'),"
                     + " (SELECT count(*) FROM pragma_index_list('item')) FROM item")) {
            rs.next();
            if (rs.getInt(1) != rows || !"REAL".equals(rs.getString(2)) || rs.getInt(3) != 2) {
                throw new IllegalStateException("rebuild produced a wrong table: " + rs.getInt(1) + " rows, price " + rs.getString(2));
            }
        }
    }

    private static void planning(Path dir, int runs) throws Exception {
        int tables = 200;
        StringBuilder current = new StringBuilder();
        StringBuilder wanted = new StringBuilder();
        for (int t = 0; t < tables; t++) {
            String name = "table_" + t;
            String parent = t == 0 ? "" : ", parent_id INTEGER REFERENCES table_" + (t - 1) + "(id)";
            String columns = "id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT DEFAULT CURRENT_TIMESTAMP,"
                    + " amount REAL CHECK (amount >= 0), flags INTEGER NOT NULL DEFAULT 0, note TEXT COLLATE NOCASE" + parent;
            current.append("CREATE TABLE ").append(name).append(" (").append(columns).append(");\n");
            current.append("CREATE INDEX ").append(name).append("_name ON ").append(name).append("(name);\n");
            // every 10th table changes: a new column, a changed type, or a new index
            String changed = switch (t % 30) {
                case 0 -> columns + ", extra TEXT";
                case 10 -> columns.replace("amount REAL", "amount NUMERIC");
                default -> columns;
            };
            wanted.append("CREATE TABLE ").append(name).append(" (").append(changed).append(");\n");
            wanted.append("CREATE INDEX ").append(name).append("_name ON ").append(name).append("(name);\n");
            if (t % 30 == 20) wanted.append("CREATE INDEX ").append(name).append("_flags ON ").append(name).append("(flags);\n");
            if (t % 50 == 0) wanted.append("CREATE VIEW ").append(name).append("_v AS SELECT id, name FROM ").append(name).append(";\n");
        }
        Path db = dir.resolve("plan.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.executeUpdate("BEGIN");
            for (String s : current.toString().split(";\n")) st.execute(s);
            st.executeUpdate("COMMIT");
        }
        Migrator migrator = Migrator.configure().database(db).schema("schema.sql", wanted.toString()).load();
        double first = time(() -> migrator.diff());
        List<Double> plan = new ArrayList<>();
        List<Double> load = new ArrayList<>();
        int steps = migrator.diff().plan().steps().size();
        for (int i = 0; i < runs; i++) {
            plan.add(time(() -> migrator.diff()));
            load.add(time(() -> loadOnly(wanted.toString())));
        }
        double p = median(plan);
        double l = median(load);
        System.out.printf("planning a %d-table schema (%d statements in the plan), median of %d%n", tables, steps, runs);
        System.out.printf("  executing the schema in an in-memory SQLite (baseline) %7.3f s%n", l);
        System.out.printf("  Migrator.diff() in-process, first call (cold JVM)      %7.3f s%n", first);
        System.out.printf("  Migrator.diff() in-process, warm                       %7.3f s   ratio to baseline %.1f   target <= 0.500 s: %s%n",
                p, p / l, p <= 0.5 ? "met" : "MISSED");
    }

    private static void loadOnly(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement st = c.createStatement()) {
            for (String s : sql.split(";\n")) st.execute(s);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double time(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
