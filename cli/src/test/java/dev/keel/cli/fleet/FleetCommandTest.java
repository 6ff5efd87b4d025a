package dev.keel.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.cli.Keel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel fleet migrate|diff|check} end to end on real database files, through the real command line. */
@Timeout(120)
class FleetCommandTest {
    record Run(int status, String out, String err) {
    }

    static final String CURRENT = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER)";
    static final String WANTED = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL);\n"
            + "CREATE INDEX items_name ON items(name);\n";

    @TempDir
    Path dir;
    Path tenants;
    Path schema;
    List<Path> dbs = new ArrayList<>();

    @BeforeEach
    void fleet() throws Exception {
        tenants = Files.createDirectory(dir.resolve("tenants"));
        for (int i = 0; i < 8; i++) dbs.add(tenant(tenants.resolve("t" + i + ".db"), 10 + i));
        schema = Files.writeString(dir.resolve("schema.sql"), WANTED);
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void migrateThenCheckThenARerunThatFindsEverythingUnchanged() throws Exception {
        assertThat(run("fleet", "check", "--dir", tenants.toString(), "--schema", schema.toString()).status()).isEqualTo(2);
        Run migrated = run("fleet", "migrate", "--dir", tenants.toString(), "--schema", schema.toString(), "--parallel", "2");
        assertThat(migrated.status()).as(migrated.out() + migrated.err()).isZero();
        assertThat(migrated.out()).contains("migrated  " + dbs.get(0) + " (canary, ").contains("8 databases in ").contains("8 migrated");
        assertThat(migrated.out().lines().filter(l -> l.startsWith("migrated"))).hasSize(8);
        Run check = run("fleet", "check", "--dir", tenants.toString(), "--schema", schema.toString());
        assertThat(check.status()).as(check.out()).isZero();
        Run again = run("fleet", "migrate", "--dir", tenants.toString(), "--schema", schema.toString());
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("8 unchanged").doesNotContain("migrated ");
    }

    @Test
    void aRefusedPlanOnEveryDatabaseIsOneGroupAndExit3() throws Exception {
        Path notNull = Files.writeString(dir.resolve("not-null.sql"),
                "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER, sku TEXT NOT NULL);\n");
        Run r = run("fleet", "migrate", "--dir", tenants.toString(), "--schema", notNull.toString());
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.out()).contains("nothing was changed").contains("8 databases: " + dbs.get(0) + ", " + dbs.get(1) + ", "
                + dbs.get(2) + " and 5 more").contains("items.sku").contains("hint:");
        assertThat(r.out().lines().filter(l -> l.contains("items.sku"))).as("one line for eight findings").hasSize(1);
        assertThat(price(dbs.get(7))).isEqualTo("INTEGER");
    }

    @Test
    void checkJsonListsEveryDatabaseAndGroupsTheDifferences() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbs.get(3)); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE items ADD COLUMN extra TEXT");
        }
        Path current = Files.writeString(dir.resolve("current.sql"), CURRENT + ";\n");
        Run r = run("fleet", "check", "--json", "--dir", tenants.toString(), "--schema", current.toString());
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("databases")).hasSize(8);
        assertThat(json.get("databases").get(3).get("status").asText()).isEqualTo("differs");
        assertThat(json.get("databases").get(3).get("path").asText()).isEqualTo(dbs.get(3).toString());
        assertThat(json.get("databases").get(0).get("status").asText()).isEqualTo("unchanged");
        assertThat(json.get("groups")).hasSize(1);
        assertThat(json.get("groups").get(0).get("count").asInt()).isEqualTo(1);
        assertThat(json.get("exitStatus").asInt()).isEqualTo(2);
    }

    @Test
    void diffPrintsOnePlanForDatabasesThatShareIt() throws Exception {
        Run r = run("fleet", "diff", "--dir", tenants.toString(), "--schema", schema.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("-- 8 databases: ").containsOnlyOnce("CREATE INDEX items_name");
        assertThat(price(dbs.get(0))).isEqualTo("INTEGER");
    }

    @Test
    void databasesFromArgumentsAListFileAConfigAndAShard() throws Exception {
        Run args = run("fleet", "migrate", dbs.get(1).toString(), dbs.get(2).toString(), "--schema", schema.toString(), "--json");
        assertThat(args.status()).as(args.err()).isZero();
        assertThat(new ObjectMapper().readTree(args.out()).get("databases")).hasSize(2);

        Path list = Files.writeString(tenants.resolve("list.txt"), "# two more\nt3.db\n\nt4.db\n");
        Run fromFile = run("fleet", "migrate", "--from-file", list.toString(), "--schema", schema.toString());
        assertThat(fromFile.status()).as(fromFile.err()).isZero();
        assertThat(fromFile.out()).contains("2 migrated");

        Path config = Files.writeString(dir.resolve("keel.yml"), "dbs:\n  - path: " + dbs.get(5) + "\n  - path: " + dbs.get(6) + "\n");
        Run fromConfig = run("fleet", "migrate", "--config", config.toString(), "--schema", schema.toString());
        assertThat(fromConfig.status()).as(fromConfig.out() + fromConfig.err()).isZero();
        assertThat(fromConfig.out()).contains("2 migrated");

        Path eu = Files.createDirectory(tenants.resolve("eu"));
        tenant(eu.resolve("e1.db"), 3);
        tenant(eu.resolve("e2.db"), 4);
        Files.writeString(eu.resolve("notes.db"), "not a database");
        Path dirConfig = Files.writeString(dir.resolve("dirs.yml"), "dbs:\n  - path: " + dbs.get(7) + "\n  - dir: " + eu
                + "\n    replicas:\n      - url: file://" + dir.resolve("replica") + "\n");
        Run fromDirEntry = run("fleet", "migrate", "--config", dirConfig.toString(), "--schema", schema.toString(), "--json");
        assertThat(fromDirEntry.status()).as(fromDirEntry.out() + fromDirEntry.err()).isZero();
        assertThat(new ObjectMapper().readTree(fromDirEntry.out()).get("databases")).extracting(d -> d.get("path").asText())
                .containsExactlyInAnyOrder(dbs.get(7).toString(), eu.resolve("e1.db").toString(), eu.resolve("e2.db").toString());
        assertThat(price(eu.resolve("e2.db"))).isEqualTo("REAL");

        int total = 0;
        for (int i = 0; i < 3; i++) {
            Run share = run("fleet", "check", "--json", "--dir", tenants.toString(), "--schema", schema.toString(), "--shard", i + "/3");
            total += new ObjectMapper().readTree(share.out()).get("databases").size();
        }
        assertThat(total).isEqualTo(8);
    }

    @Test
    void selectionErrorsHaveTheirExitStatusAndNameTheFileAndLine() throws Exception {
        assertThat(run("fleet", "migrate", "--schema", schema.toString()).status()).isEqualTo(64);
        assertThat(run("fleet", "migrate", "--pattern", "*.sqlite", dbs.get(0).toString(), "--schema", schema.toString()).status())
                .isEqualTo(64);
        assertThat(run("fleet", "migrate", "--canary", "-1", "--dir", tenants.toString(), "--schema", schema.toString()).status())
                .isEqualTo(64);
        Run missing = run("fleet", "migrate", tenants.resolve("gone.db").toString(), "--schema", schema.toString());
        assertThat(missing.status()).isEqualTo(66);
        Run twice = run("fleet", "migrate", dbs.get(0).toString(), "--dir", tenants.toString(), "--schema", schema.toString());
        assertThat(twice.status()).isEqualTo(65);
        assertThat(twice.err()).contains("selected twice");
        Path list = Files.writeString(dir.resolve("list.txt"), "tenants/t0.db\n../../../../etc/hostname\n");
        Run hostile = run("fleet", "migrate", "--from-file", list.toString(), "--schema", schema.toString());
        assertThat(hostile.status()).isIn(65, 66);
        assertThat(hostile.err()).contains(list + ":2");
        assertThat(price(dbs.get(0))).isEqualTo("INTEGER");
    }

    @Test
    void aFileInTheDirectoryThatIsNotADatabaseIsIgnoredAndNamed() throws Exception {
        Files.writeString(tenants.resolve("readme.db"), "this is not a database");
        Run r = run("fleet", "migrate", "--dir", tenants.toString(), "--schema", schema.toString());
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("ignored   " + tenants.resolve("readme.db") + ": not a SQLite database").contains("8 migrated");
    }

    @Test
    void aBusyDatabaseIsReportedAndTheRunExits1() throws Exception {
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + dbs.get(5)); Statement st = app.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            st.execute("INSERT INTO items (name) VALUES ('held')");
            Run r = run("fleet", "migrate", "--dir", tenants.toString(), "--schema", schema.toString(), "--busy-timeout", "200ms");
            assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.out()).contains("busy      " + dbs.get(5) + ": ").contains("locked").contains("7 migrated").contains("1 busy");
            st.execute("ROLLBACK");
        }
    }

    static Path tenant(Path db, int rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute(CURRENT);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (name, price) VALUES (?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    ps.setString(1, "item " + i);
                    ps.setInt(2, i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return db;
    }

    static String price(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT type FROM pragma_table_info('items') WHERE name = 'price'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
