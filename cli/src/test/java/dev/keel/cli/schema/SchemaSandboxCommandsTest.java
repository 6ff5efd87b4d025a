package dev.keel.cli.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keel migrate, diff and check build the wanted schema in the sandbox: a schema file cannot reach the live database. */
class SchemaSandboxCommandsTest {
    @TempDir
    Path dir;
    Path db;
    Path schema;

    @BeforeEach
    void files() throws Exception {
        db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT)");
            st.execute("INSERT INTO keepme VALUES (1, 'x'), (2, 'y'), (3, 'z')");
        }
        schema = dir.resolve("schema.sql");
    }

    private int rows() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM keepme")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private void assertOnlyTheDatabaseAndSqlFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.equals("app.db") || n.endsWith(".sql"));
        }
    }

    @Test
    void migrateDiffAndCheckRefuseASchemaFileThatAttachesTheLiveDatabase() throws Exception {
        Files.writeString(schema, "CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n"
                + "attach database '" + db + "' as live;\ndelete from live.keepme;\n"
                + "vacuum into '" + dir.resolve("copy.db") + "';\n");
        for (String command : new String[]{"migrate", "diff", "check"}) {
            SchemaCommandsTest.Run r = SchemaCommandsTest.run(command, "--db", db.toString(), "--schema", schema.toString());
            assertThat(r.status()).as(command + ": " + r.err()).isEqualTo(65);
            assertThat(r.err()).contains("error: " + schema + ":2: schema files may not attach other databases: "
                    + "the wanted schema is built in an isolated scratch database").contains("hint: ");
            assertThat(rows()).as(command).isEqualTo(3);
        }
        assertOnlyTheDatabaseAndSqlFiles();
    }

    @Test
    void preSqlCannotAttachOtherFiles() throws Exception {
        Files.writeString(schema, "CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n");
        Path pre = Files.writeString(dir.resolve("pre.sql"), "DELETE FROM keepme WHERE id = 3;\nATTACH '" + dir.resolve("other.db") + "' AS o;\n");
        SchemaCommandsTest.Run r = SchemaCommandsTest.run("migrate", "--db", db.toString(), "--schema", schema.toString(), "--pre", pre.toString());
        assertThat(r.status()).as(r.err()).isEqualTo(65);
        assertThat(r.err()).contains(pre + ":2").contains("pre/post SQL may not attach other databases");
        assertThat(rows()).isEqualTo(3);
        assertOnlyTheDatabaseAndSqlFiles();
    }

    @Test
    void aSchemaFileThatNeverFinishesIsStoppedAtItsLine() throws Exception {
        Files.writeString(schema, "CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n\n"
                + "with recursive c(x) as (select 1 union all select x+1 from c) select count(*) from c;\n");
        long start = System.nanoTime();
        SchemaCommandsTest.Run r = SchemaCommandsTest.run("diff", "--db", db.toString(), "--schema", schema.toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(r.status()).as(r.err()).isEqualTo(65);
        assertThat(r.err()).contains(schema + ":3").contains("took longer than 5 s");
        assertThat(rows()).isEqualTo(3);
    }
}
