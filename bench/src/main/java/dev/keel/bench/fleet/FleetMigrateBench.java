package dev.keel.bench.fleet;

import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.fleet.FleetMigrator;
import dev.keel.fleet.FleetResult;
import dev.keel.fleet.FleetSelection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A fleet migration of N tenant databases (1,000 rows each; a column type change that needs the
 * 12-step rebuild, plus a new index), timed three ways in the same run:
 * <ol>
 * <li>{@code keel fleet migrate --dir} as one process (and the in-process {@link FleetMigrator} for reference);</li>
 * <li>a shell loop running {@code keel migrate} once per database, timed on a sample and extrapolated to N;</li>
 * <li>a shell loop applying a hand-written 12-step script with the {@code sqlite3} shell to every database.</li>
 * </ol>
 * Targets: keel <= 0.1 x the keel-migrate loop, <= 0.5 x the sqlite3 loop, 2,000 databases in <= 20 s on 2 cores.
 * Arguments: [N (default 2000) | quick (N = 200)] [sample of the keel-migrate loop (default 50, 10 in quick mode)].
 */
public final class FleetMigrateBench {
    static final String CURRENT = "CREATE TABLE items (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, price INTEGER,"
            + " qty INTEGER NOT NULL DEFAULT 0, note TEXT)";
    static final String WANTED = "CREATE TABLE items (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, price REAL,"
            + " qty INTEGER NOT NULL DEFAULT 0, note TEXT);\nCREATE INDEX items_sku ON items(sku);\n";
    /** SQLite's 12-step procedure written by hand for this change, as a person would run it with the sqlite3 shell. */
    static final String HAND_WRITTEN = """
            PRAGMA foreign_keys = OFF;
            BEGIN IMMEDIATE;
            CREATE TABLE new_items (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, price REAL, qty INTEGER NOT NULL DEFAULT 0, note TEXT);
            INSERT INTO new_items (id, sku, price, qty, note) SELECT id, sku, price, qty, note FROM items;
            DROP TABLE items;
            ALTER TABLE new_items RENAME TO items;
            CREATE INDEX items_sku ON items(sku);
            PRAGMA foreign_key_check;
            COMMIT;
            """;
    static final int ROWS = 1_000;

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 0 && args[0].equals("quick");
        int n = quick ? 200 : args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int sample = args.length > 1 ? Integer.parseInt(args[1]) : quick ? 10 : 50;
        sample = Math.min(sample, n);
        Path root = Path.of(System.getProperty("keel.root", ".")).toAbsolutePath();
        Path dir = Files.createTempDirectory("keel-fleet-bench");
        try {
            Path template = template(dir.resolve("template.db"));
            Path schema = Files.writeString(dir.resolve("schema.sql"), WANTED);
            Path script = Files.writeString(dir.resolve("12-step.sql"), HAND_WRITTEN);
            String keel = root.resolve("keel").toString();
            shell(keel + " version"); // builds the jar and its start-up archive outside the timings

            Path keelFleet = fleet(template, dir.resolve("keel"), n);
            double keelProcess = shell(keel + " fleet migrate --dir " + keelFleet + " --schema " + schema + " --json > "
                    + dir.resolve("keel.json"));
            verify(keelFleet, n);

            Path apiFleet = fleet(template, dir.resolve("api"), n);
            long start = System.nanoTime();
            FleetResult api = FleetMigrator.configure().selection(FleetSelection.builder().directory(DatabaseDirectory.of(apiFleet)).build())
                    .schema(schema).load().migrate();
            double inProcess = (System.nanoTime() - start) / 1e9;
            if (api.exitStatus() != 0) throw new IllegalStateException("in-process fleet migrate exited " + api.exitStatus());
            verify(apiFleet, n);
            delete(apiFleet);

            Path loopFleet = fleet(template, dir.resolve("loop"), sample);
            double loopSample = shell("for f in " + loopFleet + "/*.db; do " + keel + " migrate --db \"$f\" --schema " + schema
                    + " > /dev/null || exit 1; done");
            verify(loopFleet, sample);
            double loop = loopSample * n / sample;

            Path sqliteFleet = fleet(template, dir.resolve("sqlite3"), n);
            double sqlite = shell("for f in " + sqliteFleet + "/*.db; do sqlite3 \"$f\" < " + script + " > /dev/null || exit 1; done");
            verify(sqliteFleet, n);

            int cores = Runtime.getRuntime().availableProcessors();
            System.out.printf("fleet migration of %,d databases x %,d rows (12-step rebuild + new index), %d cores%n", n, ROWS, cores);
            System.out.printf("  keel fleet migrate --dir (one process)        %8.2f s   %6.1f ms/db%n", keelProcess, keelProcess * 1000 / n);
            System.out.printf("  FleetMigrator in-process (reference)          %8.2f s   %6.1f ms/db%n", inProcess, inProcess * 1000 / n);
            System.out.printf("  shell loop of keel migrate, one per db        %8.2f s   %6.1f ms/db   (timed on %d dbs: %.2f s, extrapolated to %,d)%n",
                    loop, loop * 1000 / n, sample, loopSample, n);
            System.out.printf("  shell loop of sqlite3 < hand-written 12-step  %8.2f s   %6.1f ms/db%n", sqlite, sqlite * 1000 / n);
            double vsLoop = keelProcess / loop;
            double vsSqlite = keelProcess / sqlite;
            System.out.printf("  ratio keel / keel-migrate loop  %.3f   target <= 0.1: %s%n", vsLoop, vsLoop <= 0.1 ? "met" : "MISSED");
            System.out.printf("  ratio keel / sqlite3 loop       %.3f   target <= 0.5: %s%n", vsSqlite, vsSqlite <= 0.5 ? "met" : "MISSED");
            double scaled = keelProcess * 2000 / n;
            System.out.printf("  2,000 databases in %.1f s%s   target <= 20 s on 2 cores: %s%n", scaled,
                    n == 2000 ? "" : " (scaled from " + n + ")", scaled <= 20 ? "met" : "MISSED");
        } finally {
            delete(dir);
        }
    }

    private static Path template(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute(CURRENT);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (sku, price, qty, note) VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < ROWS; i++) {
                    ps.setString(1, "sku-" + i);
                    ps.setInt(2, i * 7 % 1000);
                    ps.setInt(3, i % 13);
                    ps.setString(4, i % 3 == 0 ? null : "note " + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
        return db;
    }

    private static Path fleet(Path template, Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) Files.copy(template, dir.resolve(String.format("tenant-%05d.db", i)), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    /** Every database has the new column type, the index and all its rows. */
    private static void verify(Path dir, int n) throws Exception {
        int ok = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path db : files.filter(p -> p.toString().endsWith(".db")).toList()) {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT (SELECT type FROM pragma_table_info('items') WHERE name = 'price'),"
                             + " (SELECT count(*) FROM pragma_index_list('items')), (SELECT count(*) FROM items)")) {
                    rs.next();
                    if ("REAL".equals(rs.getString(1)) && rs.getInt(2) == 1 && rs.getInt(3) == ROWS) ok++;
                }
            }
        }
        if (ok != n) throw new IllegalStateException(dir + ": " + ok + " of " + n + " databases were migrated correctly");
    }

    private static double shell(String command) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        int status = p.waitFor();
        if (status != 0) throw new IllegalStateException(command + " exited " + status + ":\n" + output);
        return (System.nanoTime() - start) / 1e9;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
