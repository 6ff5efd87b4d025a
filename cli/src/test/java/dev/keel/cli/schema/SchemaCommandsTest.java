package dev.keel.cli.schema;

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
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end tests of keel migrate, diff and check on real database and schema files. */
class SchemaCommandsTest {
    record Run(int status, String out, String err) {
    }

    static final String DATABASE = """
            create table "foo" ([id] INTEGER PRIMARY KEY AUTOINCREMENT, [foo] INTEGER, [barr] STRING);
            CREATE UNIQUE INDEX idx_foo_bar ON foo(barr);
            create table "bar" ([id] INTEGER PRIMARY KEY AUTOINCREMENT);
            """;

    static final String SCHEMA = """
            create table "foo" (
              [id] INTEGER PRIMARY KEY AUTOINCREMENT,
              [status] TEXT NOT NULL DEFAULT 'unknown',
              [bar] STRING --% renamed column=barr
            );
            CREATE UNIQUE INDEX idx_foo_bar ON foo(bar);
            create table "baz" ([id] INTEGER PRIMARY KEY AUTOINCREMENT);
            """;

    @TempDir
    Path dir;
    Path db;
    Path schema;

    @BeforeEach
    void files() throws Exception {
        db = dir.resolve("db.sqlite");
        schema = dir.resolve("schema.sql");
        Files.writeString(schema, SCHEMA);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            for (String s : DATABASE.split(";")) if (!s.isBlank()) st.execute(s);
            st.execute("INSERT INTO foo (foo, barr) VALUES (1, 'one'), (2, 'two')");
            st.execute("INSERT INTO bar DEFAULT VALUES");
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) row.append(i > 1 ? "|" : "").append(rs.getString(i));
                out.add(row.toString());
            }
        }
        return out;
    }

    @Test
    void acceptanceExample() throws Exception {
        Run refused = run("migrate", "--db", db.toString(), "--schema", schema.toString());
        assertThat(refused.status()).isEqualTo(3);
        assertThat(refused.err()).contains("table bar").contains("column foo.foo").contains("--allow-deletions");
        assertThat(rows("SELECT name FROM sqlite_schema WHERE name = 'bar'")).containsExactly("bar");

        Run migrated = run("migrate", "--db", db.toString(), "--schema", schema.toString(), "--allow-deletions");
        assertThat(migrated.status()).as(migrated.err()).isZero();
        assertThat(migrated.out()).contains("migrated").contains("column foo.barr is renamed to bar");
        assertThat(rows("SELECT id, status, bar FROM foo ORDER BY id")).containsExactly("1|unknown|one", "2|unknown|two");
        assertThat(rows("SELECT name FROM pragma_index_list('foo') WHERE \"unique\" = 1")).containsExactly("idx_foo_bar");
        assertThat(rows("SELECT name FROM pragma_index_info('idx_foo_bar')")).containsExactly("bar");
        assertThat(rows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
                .containsExactly("baz", "foo");
        assertThat(rows("SELECT name FROM pragma_table_info('foo') WHERE name = 'foo'")).isEmpty();

        Run check = run("check", "--db", db.toString(), "--schema", schema.toString());
        assertThat(check.status()).as(check.out() + check.err()).isZero();
        Run again = run("migrate", "--db", db.toString(), "--schema", schema.toString());
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("nothing to do");
    }

    @Test
    void trailingCommaInTheProposalIsReportedWithItsLine() throws Exception {
        Files.writeString(schema, "create table \"foo\" (\n  [id] INTEGER PRIMARY KEY AUTOINCREMENT,\n)\n;\n");
        Run r = run("migrate", "--db", db.toString(), "--schema", schema.toString());
        assertThat(r.status()).isEqualTo(65);
        assertThat(r.err()).contains(schema + ":3").contains("syntax error").contains("hint: ");
    }

    @Test
    void diffPrintsThePlanWithReasonsAndChangesNothing() throws Exception {
        List<String> before = rows("SELECT type, name, sql FROM sqlite_schema ORDER BY name");
        Run r = run("diff", "--db", db.toString(), "--schema", schema.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("-- column foo.barr is renamed to bar")
                .contains("ALTER TABLE \"foo\" RENAME COLUMN \"barr\" TO \"bar\";")
                .contains("BEGIN IMMEDIATE;")
                .contains("--allow-deletions");
        assertThat(rows("SELECT type, name, sql FROM sqlite_schema ORDER BY name")).isEqualTo(before);

        Run json = run("diff", "--db", db.toString(), "--schema", schema.toString(), "--json");
        JsonNode node = new ObjectMapper().readTree(json.out());
        assertThat(node.get("steps").size()).isEqualTo(5);
        assertThat(node.get("steps").get(0).get("why").asText()).contains("table bar");
        assertThat(node.get("deletions").toString()).contains("table bar");
    }

    @Test
    void checkExitsTwoAndListsDifferences() throws Exception {
        Run r = run("check", "--db", db.toString(), "--schema", schema.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).contains("differs").contains("table baz is new").contains("table bar is not in the wanted schema");
        Run json = run("check", "--db", db.toString(), "--schema", schema.toString(), "--json");
        assertThat(json.status()).isEqualTo(2);
        assertThat(new ObjectMapper().readTree(json.out()).get("matches").asBoolean()).isFalse();
    }

    @Test
    void lintErrorsAreRefusedWithTableColumnAndRows() throws Exception {
        Files.writeString(schema, SCHEMA.replace("[status] TEXT NOT NULL DEFAULT 'unknown'", "[status] TEXT NOT NULL"));
        Run r = run("migrate", "--db", db.toString(), "--schema", schema.toString(), "--allow-deletions", "--json");
        assertThat(r.status()).isEqualTo(3);
        JsonNode error = new ObjectMapper().readTree(r.err()).get("error");
        assertThat(error.get("error").asText()).contains("foo.status").contains("2 rows");
        assertThat(rows("SELECT name FROM sqlite_schema WHERE name = 'bar'")).containsExactly("bar");
    }

    @Test
    void missingDatabaseIsNotFound() {
        Run r = run("check", "--db", dir.resolve("missing.db").toString(), "--schema", schema.toString());
        assertThat(r.status()).isEqualTo(66);
        assertThat(r.err()).contains("missing.db").contains("does not exist");
        assertThat(dir.resolve("missing.db")).doesNotExist();
    }

    @Test
    void migrateJsonReportsTheAppliedPlan() throws Exception {
        Run r = run("migrate", "--db", db.toString(), "--schema", schema.toString(), "--allow-deletions", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode node = new ObjectMapper().readTree(r.out());
        assertThat(node.get("applied").asBoolean()).isTrue();
        assertThat(node.get("differences").toString()).contains("table baz is new");
    }

    @Test
    void diffShowsLinterErrorsAndPreSqlThatFixesThem() throws Exception {
        Files.writeString(schema, SCHEMA.replace("[bar] STRING --% renamed column=barr", "[bar] STRING NOT NULL --% renamed column=barr"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("INSERT INTO foo (foo, barr) VALUES (3, NULL)");
        }
        Run r = run("diff", "--db", db.toString(), "--schema", schema.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("-- error: column foo.bar becomes NOT NULL but 1 rows hold NULL");

        Path pre = dir.resolve("pre.sql");
        Files.writeString(pre, "UPDATE foo SET barr = 'three' WHERE barr IS NULL;\n");
        Run fixed = run("diff", "--db", db.toString(), "--schema", schema.toString(), "--pre", pre.toString());
        assertThat(fixed.out()).doesNotContain("-- error:");
        assertThat(rows("SELECT count(*) FROM foo WHERE barr IS NULL")).containsExactly("1");

        Run migrated = run("migrate", "--db", db.toString(), "--schema", schema.toString(), "--pre", pre.toString(), "--allow-deletions");
        assertThat(migrated.status()).as(migrated.err()).isZero();
        assertThat(rows("SELECT bar FROM foo ORDER BY id")).containsExactly("one", "two", "three");
        Run check = run("check", "--db", db.toString(), "--schema", schema.toString(), "--json");
        assertThat(check.status()).isZero();
        assertThat(new ObjectMapper().readTree(check.out()).get("matches").asBoolean()).isTrue();
    }
}
