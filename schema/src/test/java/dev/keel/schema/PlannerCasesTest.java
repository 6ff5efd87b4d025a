package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.KeelException;
import dev.keel.schema.sql.SqlScript;
import dev.keel.schema.sql.SqlStatement;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planner cases from data files (src/test/resources/planner/*.cases): current schema (+ data),
 * wanted schema, expected statements; each case is then applied and re-planned, which must be empty.
 * <pre>
 * === case name
 * --- current      SQL run on a new database
 * --- wanted       the schema file
 * --- plan         expected statements, each ending with ';'
 * --- query SQL    after migrating, rows of SQL as "a|b" lines
 * --- error CODE   migrate fails with this code; following lines must appear in the message
 * --- options      allow-deletions
 * </pre>
 */
class PlannerCasesTest {
    @TempDir
    Path dir;

    record Case(String file, String name, Map<String, String> sections) {
        String get(String key) {
            return sections.get(key);
        }
    }

    @TestFactory
    Stream<DynamicTest> cases() throws IOException, URISyntaxException {
        Path root = Path.of(PlannerCasesTest.class.getResource("/planner").toURI());
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cases")).sorted().toList()) cases.addAll(parse(f));
        }
        assertThat(cases).hasSizeGreaterThan(20);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.file() + ": " + c.name(), () -> run(c)));
    }

    static List<Case> parse(Path file) throws IOException {
        List<Case> out = new ArrayList<>();
        String name = null;
        Map<String, String> sections = null;
        String section = null;
        StringBuilder body = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("=== ") || line.startsWith("--- ")) {
                if (section != null) sections.put(section, body.toString());
                body.setLength(0);
                if (line.startsWith("=== ")) {
                    if (name != null) out.add(new Case(file.getFileName().toString(), name, sections));
                    name = line.substring(4).trim();
                    sections = new LinkedHashMap<>();
                    section = null;
                } else {
                    section = line.substring(4).trim();
                }
                continue;
            }
            body.append(line).append('\n');
        }
        if (section != null) sections.put(section, body.toString());
        if (name != null) out.add(new Case(file.getFileName().toString(), name, sections));
        return out;
    }

    void run(Case c) throws Exception {
        Path db = dir.resolve(c.name().replaceAll("[^a-zA-Z0-9]", "_") + ".db");
        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = conn.createStatement()) {
            for (SqlStatement s : SqlScript.split("current", c.get("current"))) st.execute(s.sql());
        }
        Path schema = dir.resolve("schema.sql");
        Files.writeString(schema, c.get("wanted"));
        boolean allowDeletions = c.sections().getOrDefault("options", "").contains("allow-deletions");
        Migrator migrator = Migrator.configure().database(db).schema(schema).allowDeletions(allowDeletions).load();
        String error = c.sections().keySet().stream().filter(k -> k.startsWith("error")).findFirst().orElse(null);
        if (error != null) {
            String before = dump(db);
            assertThatThrownBy(migrator::migrate).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code().name()).isEqualTo(error.substring("error".length()).trim());
                for (String expected : c.get(error).strip().split("\n")) {
                    if (!expected.isBlank()) assertThat(e.describe() + "\nhint: " + e.hint()).contains(expected.strip());
                }
            });
            assertThat(dump(db)).as("database untouched").isEqualTo(before);
            return;
        }
        if (c.get("plan") != null) {
            List<String> expected = SqlScript.split("plan", c.get("plan")).stream().map(s -> squash(s.sql())).toList();
            List<String> actual = migrator.diff().plan().statements().stream().map(PlannerCasesTest::squash).toList();
            assertThat(actual).as("plan of " + c.name() + "; actual:\n" + String.join(";\n", actual) + ";").isEqualTo(expected);
        }
        MigrationResult result = migrator.migrate();
        assertThat(result.applied()).isTrue();
        MigrationResult again = migrator.diff();
        assertThat(again.plan().statements()).as("re-plan after applying " + c.name()).isEmpty();
        assertThat(migrator.check().upToDate()).isTrue();
        for (Map.Entry<String, String> e : c.sections().entrySet()) {
            if (!e.getKey().startsWith("query ")) continue;
            assertThat(query(db, e.getKey().substring(6))).as(e.getKey()).isEqualTo(e.getValue().strip());
        }
    }

    static String squash(String sql) {
        return sql.strip().replaceAll("\\s+", " ");
    }

    static String query(Path db, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) cells.add(String.valueOf(rs.getString(i)));
                rows.add(String.join("|", cells));
            }
        }
        return String.join("\n", rows);
    }

    /** Schema and content of every table, to prove a failed migration changed nothing. */
    static String dump(Path db) throws SQLException {
        StringBuilder out = new StringBuilder(query(db, "SELECT type, name, sql FROM sqlite_schema ORDER BY name"));
        for (String table : query(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").split("\n")) {
            if (!table.isBlank()) out.append('\n').append(query(db, "SELECT * FROM \"" + table + "\""));
        }
        return out.toString();
    }

}
