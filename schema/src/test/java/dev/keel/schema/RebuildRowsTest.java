package dev.keel.schema;

import static dev.keel.schema.PlannerCasesTest.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebuilds on real databases with rows: every row survives (dropping columns never drops rows), a
 * copy that loses rows stops the migration, and new columns SQLite only refuses on non-empty tables
 * are planned so that the migration works on them.
 */
class RebuildRowsTest {
    @TempDir
    Path dir;

    private Migrator migrator(Path db, String schema, boolean allowDeletions) {
        return Migrator.configure().database(db).schema("schema.sql", schema).allowDeletions(allowDeletions).load();
    }

    @Test
    void aRebuildThatLosesRowsIsRolledBackNamingTheTableAndBothCounts() throws Exception {
        Path db = dir.resolve("kv.db");
        MigratorTest.exec(db, "CREATE TABLE kv (k TEXT PRIMARY KEY ON CONFLICT REPLACE, v TEXT) WITHOUT ROWID",
                "INSERT INTO kv VALUES ('a', '1'), ('A', '2'), ('b', '3')");
        String before = PlannerCasesTest.dump(db);
        Migrator m = migrator(db, "CREATE TABLE kv (k TEXT COLLATE NOCASE PRIMARY KEY ON CONFLICT REPLACE, v TEXT, x TEXT) WITHOUT ROWID;", false);
        assertThatThrownBy(m::migrate).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
            assertThat(e.getMessage()).contains("table kv").contains("3 rows").contains("holds 2");
            assertThat(e.subject()).isEqualTo(db.toString());
            assertThat(e.hint()).isNotBlank();
        });
        assertThat(PlannerCasesTest.dump(db)).as("all or nothing").isEqualTo(before);
    }

    @Test
    void droppingEveryColumnKeepsEveryRowAndItsRowid() throws Exception {
        Path db = dir.resolve("t.db");
        MigratorTest.exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (5), (9)");
        Migrator m = migrator(db, "CREATE TABLE t (user_id INTEGER PRIMARY KEY, name TEXT);", true);
        MigrationResult r = m.migrate();
        assertThat(r.deletions()).containsExactly("column t.id");
        assertThat(query(db, "SELECT user_id FROM t ORDER BY user_id")).isEqualTo("5\n9");
        assertThat(m.diff().upToDate()).isTrue();
    }

    @Test
    void aWithoutRowidTableSharingNoColumnWithItsNewFormKeepsItsRows() throws Exception {
        Path db = dir.resolve("kv.db");
        MigratorTest.exec(db, "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID", "INSERT INTO kv VALUES ('a', '1'), ('b', '2'), ('c', '3')");
        migrator(db, "CREATE TABLE kv (name TEXT, note TEXT DEFAULT 'n');", true).migrate();
        assertThat(query(db, "SELECT count(*), max(note) FROM kv")).isEqualTo("3|n");
    }

    @Test
    void aWithoutRowidTableWhoseNewKeyCannotBeFilledIsRefusedNamingTableColumnAndRows() throws Exception {
        Path db = dir.resolve("kv.db");
        MigratorTest.exec(db, "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID", "INSERT INTO kv VALUES ('a', '1'), ('b', '2')");
        String before = PlannerCasesTest.dump(db);
        Migrator m = migrator(db, "CREATE TABLE kv (code TEXT PRIMARY KEY, label TEXT) WITHOUT ROWID;", true);
        assertThatThrownBy(m::migrate).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
            assertThat(e.getMessage()).contains("kv.code").contains("2 rows");
        });
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @Test
    void expressionDefaultsAreAddedToTablesWithRows() throws Exception {
        Path db = dir.resolve("kv.db");
        MigratorTest.exec(db, "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID", "INSERT INTO kv VALUES ('a', '1'), ('b', '2'), ('c', '3')",
                "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        Migrator m = migrator(db, """
                CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT, tags TEXT DEFAULT (json_array())) WITHOUT ROWID;
                CREATE TABLE t (id INTEGER PRIMARY KEY, two INTEGER DEFAULT (1 + 1), at TEXT DEFAULT (datetime('now')), d TEXT DEFAULT CURRENT_DATE);
                """, false);
        m.migrate();
        assertThat(query(db, "SELECT k, v, tags FROM kv ORDER BY k")).isEqualTo("a|1|[]\nb|2|[]\nc|3|[]");
        assertThat(query(db, "SELECT id, two, at IS NOT NULL, d IS NOT NULL FROM t")).isEqualTo("1|2|1|1");
        assertThat(m.diff().upToDate()).isTrue();
    }
}
