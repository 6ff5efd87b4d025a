package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.source.Sandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wanted schema is built in a sandbox: a schema file cannot touch the live database or any
 * other file, load native code, or keep Keel busy; each refusal names the file:line and says why.
 */
class SandboxTest {
    static final Sandbox.Limits FAST = Sandbox.Limits.DEFAULT.withTime(Duration.ofMillis(300));

    @TempDir
    Path dir;
    Path db;

    @BeforeEach
    void database() throws Exception {
        db = dir.resolve("app.db");
        MigratorTest.exec(db, "CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT)", "INSERT INTO keepme VALUES (1, 'x'), (2, 'y')");
    }

    private Path schema(String text) throws Exception {
        return Files.writeString(dir.resolve("schema.sql"), text);
    }

    /** migrate, diff and check all refuse {@code schema} with BAD_INPUT at {@code line}; nothing changes. */
    private void refused(Path schema, int line, String why) throws Exception {
        refused(schema, line, why, FAST);
    }

    private void refused(Path schema, int line, String why, Sandbox.Limits limits) throws Exception {
        String before = PlannerCasesTest.dump(db);
        for (Function<Migrator, MigrationResult> command : List.<Function<Migrator, MigrationResult>>of(
                Migrator::migrate, Migrator::diff, Migrator::check)) {
            assertThatThrownBy(() -> command.apply(Migrator.configure().database(db).schema(schema).allowDeletions(true).sandbox(limits).load()))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                assertThat(e.subject()).isEqualTo(schema + ":" + line);
                assertThat(e.getMessage()).contains(why);
            });
        }
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("app.db", "schema.sql");
        }
    }

    @Test
    void attachingTheLiveDatabaseIsRefused() throws Exception {
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\nattach database '" + db + "' as live;\n"
                        + "delete from live.keepme;\n"), 2,
                "schema files may not attach other databases: the wanted schema is built in an isolated scratch database");
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n/* hi */ AtTaCh\n-- x\n'" + db + "' AS \"live\";\n"), 2,
                "may not attach");
    }

    @Test
    void vacuumIntoAFileIsRefused() throws Exception {
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n\nvacuum /* c */ into '" + dir.resolve("copy.db") + "';"), 3,
                "may not VACUUM");
    }

    @Test
    void loadingAnExtensionIsRefused() throws Exception {
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\nSELECT 1,\n  \"LOAD_EXTENSION\" ('/tmp/x.so');"), 3,
                "load_extension");
    }

    @Test
    void pragmasThatReachBeyondTheScratchDatabaseAreRefused() throws Exception {
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\nPRAGMA main.writable_schema = ON;"), 2, "PRAGMA writable_schema");
        refused(schema("PRAGMA temp_store_directory = '" + dir + "';\nCREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);"), 1,
                "PRAGMA temp_store_directory");
        refused(schema("pragma \"hard_heap_limit\"=1;"), 1, "PRAGMA hard_heap_limit");
        Migrator.configure().database(db).schema(schema("PRAGMA foreign_keys = ON;\nCREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);"))
                .load().check();
    }

    @Test
    void aQueryThatNeverEndsIsStoppedAtItsLine() throws Exception {
        long start = System.nanoTime();
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n"
                + "with recursive c(x) as (select 1 union all select x+1 from c) select count(x) from c;\n"), 2, "took longer than 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void rowsOfAQueryAreNeverRead() throws Exception {
        // an endless query whose first row comes at once: it is not iterated, so it costs nothing
        Path schema = schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n"
                + "with recursive c(x) as (select 1 union all select x+1 from c) select x from c;\n");
        assertThat(Migrator.configure().database(db).schema(schema).sandbox(FAST).load().check().upToDate()).isTrue();
    }

    @Test
    void theScratchDatabaseAndItsValuesAreBounded() throws Exception {
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\nCREATE TABLE big AS\n"
                + "  WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT randomblob(4000) FROM c;"), 2, "fills the scratch database",
                new Sandbox.Limits(Duration.ofSeconds(10), 256, 1 << 20, 1 << 20));
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\nSELECT length(\n zeroblob(1000000000));"), 2, "too big");
    }

    @Test
    void nulAndInvalidUtf8AreRefusedWithTheirLine() throws Exception {
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\nSELECT 1;\0 ATTACH 'x.db' AS x;"), 2, "NUL");
        Path schema = dir.resolve("schema.sql");
        byte[] bytes = "CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n-- caf\u00e9\nSELECT 'X';".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(schema, bytes);
        assertThatThrownBy(() -> Migrator.configure().database(db).schema(schema).load()).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.subject()).isEqualTo(schema + ":2");
            assertThat(e.getMessage()).contains("not UTF-8");
        });
    }

    @Test
    void aCommentThatIsNeverClosedIsRefusedWithItsLine() throws Exception {
        // SQLite would end the comment at the end of the file: the table after it would silently be missing
        refused(schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n/* to do\nCREATE TABLE kv (k TEXT PRIMARY KEY);"),
                2, "never closed");
        refused(schema("/* open comment; ATTACH 'x' AS y;\nCREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);"), 1, "never closed");
    }

    @Test
    void anOversizedSchemaIsRefusedBeforeItIsRead() throws Exception {
        Path schema = schema("-- " + "x".repeat(5 << 20) + "\nCREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);");
        assertThatThrownBy(() -> Migrator.configure().database(db).schema(schema).load()).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.getMessage()).contains("larger than 4 MiB");
        });
    }

    @Test
    void theEngineRefusesOtherFilesEvenWithoutTheRules() throws SQLException {
        try (Sandbox sandbox = Sandbox.open(FAST); Statement st = sandbox.connection().createStatement()) {
            assertThatThrownBy(() -> st.execute("ATTACH '" + db + "' AS live")).hasMessageContaining("too many attached databases");
            assertThatThrownBy(() -> st.execute("VACUUM INTO '" + dir.resolve("copy.db") + "'")).hasMessageContaining("too many attached");
            assertThatThrownBy(() -> st.execute("SELECT load_extension('x')")).hasMessageContaining("not authorized");
        }
        assertThat(dir.resolve("copy.db")).doesNotExist();
    }

    @Test
    void preAndPostSqlMayChangeDataButNotReachOtherFiles() throws Exception {
        Path schema = schema("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);");
        String before = PlannerCasesTest.dump(db);
        for (String script : new String[]{"UPDATE keepme SET x = 'z';\nATTACH '" + dir.resolve("other.db") + "' AS o;",
                "UPDATE keepme SET x = 'z';\nbackup to '" + dir.resolve("copy.db") + "'",
                "UPDATE keepme SET x = 'z';\nSELECT load_extension('x');",
                "UPDATE keepme SET x = 'z';\nPRAGMA temp_store_directory = '" + dir + "';"}) {
            Path post = Files.writeString(dir.resolve("post.sql"), script);
            assertThatThrownBy(() -> Migrator.configure().database(db).schema(schema).post(post).load().migrate())
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.subject()).isEqualTo(post + ":2");
                        assertThat(e.getMessage()).startsWith("pre/post SQL may not");
                    });
        }
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
        assertThat(dir.resolve("copy.db")).doesNotExist();
        assertThat(dir.resolve("other.db")).doesNotExist();
    }
}
