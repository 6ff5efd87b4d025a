package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

class MigratorTest {
    @TempDir
    Path dir;

    Path db() throws SQLException {
        Path db = dir.resolve("app.db");
        exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'one')");
        return db;
    }

    static void exec(Path db, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            for (String s : sql) st.execute(s);
        }
    }

    Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void missingDatabaseIsNotFoundAndNotCreated() throws Exception {
        Path missing = dir.resolve("nope.db");
        Migrator m = Migrator.configure().database(missing).schema(file("s.sql", "CREATE TABLE t (a);")).load();
        assertThatThrownBy(m::migrate).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.subject()).isEqualTo(missing.toString());
        });
        assertThat(missing).doesNotExist();
        Migrator.configure().database(missing).schema(file("s.sql", "CREATE TABLE t (a);")).createIfMissing(true).load().migrate();
        assertThat(PlannerCasesTest.query(missing, "SELECT name FROM sqlite_schema")).isEqualTo("t");
    }

    @Test
    void syntaxErrorNamesFileAndLineAndChangesNothing() throws Exception {
        Path db = db();
        String before = PlannerCasesTest.dump(db);
        Path schema = file("schema.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n\nCREATE TABLE u (\n  a TEXT,\n  b TEXT NOT NUL\n);\n");
        assertThatThrownBy(() -> Migrator.configure().database(db).schema(schema).load().migrate())
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.subject()).isEqualTo(schema + ":5");
                    assertThat(e.getMessage()).contains("syntax error");
                });
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @Test
    void schemaDirectoryIsReadInNameOrder() throws Exception {
        Path db = db();
        file("schema/02_view.sql", "CREATE VIEW tv AS SELECT v FROM t;");
        file("schema/01_tables.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\nCREATE TABLE u (x);");
        file("schema/notes.txt", "not sql");
        MigrationResult r = Migrator.configure().database(db).schema(dir.resolve("schema")).load().migrate();
        assertThat(r.plan().statements()).containsExactly("CREATE TABLE u (x)", "CREATE VIEW tv AS SELECT v FROM t");
    }

    @Test
    void preAndPostRunInTheSameTransactionAsThePlan() throws Exception {
        Path db = db();
        String before = PlannerCasesTest.dump(db);
        Path schema = file("s.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w TEXT);");
        Path pre = file("pre.sql", "UPDATE t SET v = 'changed by pre';");
        Path badPost = file("post.sql", "UPDATE t SET w = 'x';\nINSERT INTO nowhere VALUES (1);\n");
        assertThatThrownBy(() -> Migrator.configure().database(db).schema(schema).pre(pre).post(badPost).load().migrate())
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.subject()).isEqualTo(badPost + ":2");
                    assertThat(e.getMessage()).contains("post SQL failed").contains("no such table");
                });
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);

        Path post = file("post2.sql", "UPDATE t SET w = v || '!';");
        Migrator.configure().database(db).schema(schema).pre(pre).post(post).load().migrate();
        assertThat(PlannerCasesTest.query(db, "SELECT v, w FROM t")).isEqualTo("changed by pre|changed by pre!");
    }

    @Test
    void anEmptySchemaIsRefusedEvenWithAllowDeletions() throws Exception {
        Path db = db();
        String before = PlannerCasesTest.dump(db);
        for (String text : new String[] {"", "-- generated schema\n", "PRAGMA user_version = 3;\nSELECT 1;\n"}) {
            Path schema = file("empty.sql", text);
            assertThatThrownBy(() -> Migrator.configure().database(db).schema(schema).allowDeletions(true).load().migrate())
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.subject()).isEqualTo(schema.toString());
                        assertThat(e.getMessage()).contains("declares no table");
                    });
        }
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @Test
    void dryRunRehearsesAndRollsBack() throws Exception {
        Path db = db();
        String before = PlannerCasesTest.dump(db);
        MigrationResult r = Migrator.configure().database(db).schema(file("s.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL DEFAULT '');"))
                .dryRun(true).load().migrate();
        assertThat(r.dryRun()).isTrue();
        assertThat(r.applied()).isFalse();
        assertThat(r.plan().isEmpty()).isFalse();
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @Test
    void lockedDatabaseWaitsThenSaysWhoHoldsIt() throws Exception {
        Path db = db();
        try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = holder.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            long start = System.nanoTime();
            Migrator m = Migrator.configure().database(db).schema(file("s.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, x);"))
                    .busyTimeout(Duration.ofMillis(300)).load();
            assertThatThrownBy(m::migrate).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.IO);
                assertThat(e.getMessage()).contains("locked");
                if (Files.isReadable(Path.of("/proc/locks"))) {
                    assertThat(e.getMessage()).contains("pid " + ProcessHandle.current().pid());
                }
            });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            st.execute("ROLLBACK");
        }
    }

    @Test
    void rebuildNeverFiresCascadesAndRestoresForeignKeys() throws Exception {
        Path db = dir.resolve("fk.db");
        SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        try (Connection app = config.createConnection("jdbc:sqlite:" + db); Statement st = app.createStatement()) {
            st.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT)");
            st.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE)");
            st.execute("INSERT INTO parent VALUES (1, 'p')");
            st.execute("INSERT INTO child VALUES (10, 1), (11, 1)");
            String schema = "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');\n"
                    + "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE);\n";
            MigrationResult r = Migrator.configure().connection(app, "app").schema("schema.sql", schema).load().migrate();
            assertThat(r.plan().statements()).anyMatch(s -> s.startsWith("DROP TABLE \"parent\""));
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM child")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            try (ResultSet rs = st.executeQuery("PRAGMA foreign_keys")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void newForeignKeyViolationsAreRefused() throws Exception {
        Path db = dir.resolve("fk2.db");
        exec(db, "CREATE TABLE parent (id INTEGER PRIMARY KEY)", "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER)",
                "INSERT INTO child VALUES (1, 42)");
        String before = PlannerCasesTest.dump(db);
        Path schema = file("s.sql", "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
                + "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));\n");
        assertThatThrownBy(() -> Migrator.configure().database(db).schema(schema).load().migrate())
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
                    assertThat(e.getMessage()).contains("foreign key violations").contains("child");
                });
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @Test
    void notADatabaseIsBadInput() throws Exception {
        Path junk = file("junk.db", "this is not sqlite at all, just some text that is long enough to look like a header.....");
        Migrator m = Migrator.configure().database(junk).schema(file("s.sql", "CREATE TABLE t (a);")).load();
        assertThatThrownBy(m::check).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
    }

    @Test
    void checkReportsDifferencesWithoutChangingAnything() throws Exception {
        Path db = db();
        String before = PlannerCasesTest.dump(db);
        MigrationResult r = Migrator.configure().database(db).schema(file("s.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w TEXT);\nCREATE TABLE n (x);"))
                .load().check();
        assertThat(r.upToDate()).isFalse();
        assertThat(r.plan().differences()).containsExactly("column t.w is new", "table n is new");
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @Test
    void forDatabaseMigratesOtherDatabasesWithTheSchemaAndScriptsPreparedOnce() throws Exception {
        Path pre = file("pre.sql", "UPDATE t SET v = upper(v);\n");
        Migrator template = Migrator.configure().database(dir.resolve("never-opened.db"))
                .schema(file("s.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w TEXT);")).pre(pre).load().prepare();
        Files.writeString(pre, "this is no longer SQL;\n"); // read once by prepare(): the copies run what was read
        for (String name : new String[] {"a.db", "b.db"}) {
            Path db = dir.resolve(name);
            exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'one')");
            MigrationResult r = template.forDatabase(db).migrate();
            assertThat(r.database()).isEqualTo(db.toString());
            assertThat(PlannerCasesTest.query(db, "SELECT v FROM t")).isEqualTo("ONE");
        }
        assertThat(dir.resolve("never-opened.db")).doesNotExist();
        Migrator broken = Migrator.configure().database(dir.resolve("never-opened.db"))
                .schema(file("bad.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY,);")).load();
        assertThatThrownBy(broken::prepare).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
    }
}
