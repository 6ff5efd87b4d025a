package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * Pre and post SQL run inside the migration's one transaction; a script that ends it (COMMIT, END,
 * ROLLBACK) or starts another would let the rest run outside it: half-applied migrations, dry runs
 * that commit, and foreign keys switched back on so that rebuilding a parent table cascades.
 */
class ScriptTransactionTest {
    @TempDir
    Path dir;

    /** A parent table whose rebuild would delete every child row if foreign keys were on. */
    Path cascadingDatabase() throws SQLException {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT)");
            st.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id) ON DELETE CASCADE)");
            st.execute("INSERT INTO parent VALUES (1, 'a'), (2, 'b')");
            st.execute("INSERT INTO child VALUES (10, 1), (11, 2)");
        }
        return db;
    }

    Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    Path rebuildParent() throws Exception {
        return file("schema.sql", "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');\n"
                + "CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id) ON DELETE CASCADE);\n");
    }

    @Test
    void preSqlThatCommitsAndSwitchesForeignKeysOnIsRefusedBeforeAnythingRuns() throws Exception {
        Path db = cascadingDatabase();
        String before = PlannerCasesTest.dump(db);
        Path pre = file("pre.sql", "UPDATE parent SET name = 'x';\nCOMMIT;\nPRAGMA foreign_keys = ON;\nBEGIN;\n");
        assertThatThrownBy(() -> Migrator.configure().database(db).schema(rebuildParent()).pre(pre).load().migrate())
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.subject()).isEqualTo(pre + ":2");
                    assertThat(e.getMessage()).contains("COMMIT").contains("transaction");
                });
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @Test
    void everySpellingOfEndingOrStartingATransactionIsRefusedInPreAndPostSql() throws Exception {
        Path db = cascadingDatabase();
        String before = PlannerCasesTest.dump(db);
        String[] scripts = {"COMMIT", "commit transaction", "END", "End Transaction", "ROLLBACK", "ROLLBACK TRANSACTION",
            "BEGIN", "BEGIN IMMEDIATE TRANSACTION", "/* c */ COMMIT /* d */", "EXPLAIN COMMIT; COMMIT"};
        for (String sql : scripts) {
            Path script = file("script.sql", "SELECT 1;\n" + sql + ";\n");
            refusedAsBadInput(() -> Migrator.configure().database(db).schema(rebuildParent()).post(script).dryRun(true).load().migrate(), sql);
            refusedAsBadInput(() -> Migrator.configure().database(db).schema(rebuildParent()).pre(script).load().diff(), sql);
        }
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @Test
    void savepointsInsideTheTransactionStayAllowed() throws Exception {
        Path db = cascadingDatabase();
        Path pre = file("pre.sql", "SAVEPOINT s;\nUPDATE parent SET name = 'gone';\nROLLBACK TO s;\nRELEASE s;\n"
                + "UPDATE parent SET name = 'kept' WHERE id = 1;\n");
        Migrator.configure().database(db).schema(rebuildParent()).pre(pre).load().migrate();
        assertThat(PlannerCasesTest.query(db, "SELECT name FROM parent ORDER BY id")).isEqualTo("kept\nb");
        assertThat(PlannerCasesTest.query(db, "SELECT count(*) FROM child")).isEqualTo("2");
    }

    @Test
    void anApplicationConnectionInsideATransactionIsRefusedAndNoChildRowCascades() throws Exception {
        Path db = cascadingDatabase();
        SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        try (Connection app = config.createConnection("jdbc:sqlite:" + db)) {
            app.setAutoCommit(false);
            try (Statement st = app.createStatement()) {
                st.execute("SELECT count(*) FROM parent");
            }
            Migrator m = Migrator.configure().connection(app, "app").schema(rebuildParent()).load();
            assertThatThrownBy(m::migrate).isInstanceOf(KeelException.class);
            app.rollback();
        }
        assertThat(PlannerCasesTest.query(db, "SELECT count(*) FROM child")).isEqualTo("2");
    }

    private static void refusedAsBadInput(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String sql) {
        Consumer<KeelException> check = e -> {
            assertThat(e.code()).as(sql).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.subject()).as(sql).endsWith(":2");
        };
        assertThatThrownBy(call).as(sql).isInstanceOfSatisfying(KeelException.class, check);
    }
}
