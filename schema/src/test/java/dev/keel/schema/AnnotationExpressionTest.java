package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --% fill=} and {@code --% using=} values are one SQL expression, checked before anything
 * runs: text that would end the generated statement early, comment out the rest of it or start a
 * second one is refused with its file:line, and the live rows stay as they were.
 */
class AnnotationExpressionTest {
    @TempDir
    Path dir;
    Path db;

    @BeforeEach
    void database() throws Exception {
        db = dir.resolve("app.db");
        MigratorTest.exec(db, "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID",
                "INSERT INTO kv VALUES ('a', '1'), ('b', '2'), ('c', '3')",
                "CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT)",
                "INSERT INTO keepme VALUES (1, 'x'), (2, 'y')");
    }

    /** The wanted schema with {@code line4} and {@code line5} as kv's last two column definitions. */
    private Path schema(String line4, String line5) throws Exception {
        return Files.writeString(dir.resolve("schema.sql"), "CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n"
                + "CREATE TABLE kv (\n  k TEXT PRIMARY KEY,\n  " + line4 + ",\n  " + line5 + "\n) WITHOUT ROWID;\n");
    }

    private Path schema(String newColumn) throws Exception {
        return schema("v TEXT", newColumn);
    }

    private void assertRefusedOnLine5(Path schema, String why) throws Exception {
        String before = PlannerCasesTest.dump(db);
        Migrator m = Migrator.configure().database(db).schema(schema).allowDeletions(true).load();
        assertThatThrownBy(m::migrate).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.subject()).isEqualTo(schema + ":5");
            assertThat(e.getMessage()).contains(why);
        });
        assertThatThrownBy(m::diff).isInstanceOf(KeelException.class);
        assertThatThrownBy(m::check).isInstanceOf(KeelException.class);
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @Test
    void semicolonAfterTheFillExpressionIsRefusedAndNoRowIsLost() throws Exception {
        assertRefusedOnLine5(schema("n INT NOT NULL --% fill=0;"), "';'");
    }

    @Test
    void secondStatementInAFillIsRefusedAndTheOtherTableKeepsItsRows() throws Exception {
        assertRefusedOnLine5(schema("n INT NOT NULL --% fill=(select 1) where 0; drop table keepme"), "';'");
    }

    @Test
    void unbalancedParenthesesCannotCloseTheGeneratedStatement() throws Exception {
        assertRefusedOnLine5(schema("n INT NOT NULL --% fill=0) FROM kv WHERE 0 UNION SELECT k, v, (0"), "parenthes");
    }

    @Test
    void somethingThatIsNotOneExpressionIsRefusedWithSqlitesReason() throws Exception {
        assertRefusedOnLine5(schema("n INT NOT NULL --% fill=1 AS n"), "not one SQL expression");
        assertRefusedOnLine5(schema("n INT NOT NULL --% fill='unterminated"), "unterminated");
        assertRefusedOnLine5(schema("n INT NOT NULL --% fill=0 /* open"), "unterminated");
    }

    @Test
    void usingIsCheckedTheSameWay() throws Exception {
        assertRefusedOnLine5(schema("n INT NOT NULL DEFAULT 0", "v INTEGER --% using=CAST(v AS INTEGER); DELETE FROM keepme"), "';'");
    }

    @Test
    void aCommentAfterTheFillIsACommentNotSql() throws Exception {
        Migrator.configure().database(db).schema(schema("n INT NOT NULL --% fill=length(v) + 1 -- old rows")).load().migrate();
        assertThat(PlannerCasesTest.query(db, "SELECT k, v, n FROM kv ORDER BY k")).isEqualTo("a|1|2\nb|2|2\nc|3|2");
        assertThat(PlannerCasesTest.query(db, "SELECT count(*) FROM keepme")).isEqualTo("2");
    }

    @Test
    void usingThatNamesAnOldColumnIsStillAccepted() throws Exception {
        MigratorTest.exec(db, "ALTER TABLE kv ADD COLUMN price TEXT", "UPDATE kv SET price = '1.5'");
        Path schema = Files.writeString(dir.resolve("schema.sql"), "CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);\n"
                + "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT, price INTEGER --% using=CAST(round(price * 100) AS INTEGER) -- cents\n) WITHOUT ROWID;\n");
        Migrator.configure().database(db).schema(schema).load().migrate();
        assertThat(PlannerCasesTest.query(db, "SELECT k, price FROM kv ORDER BY k")).isEqualTo("a|150\nb|150\nc|150");
    }
}
