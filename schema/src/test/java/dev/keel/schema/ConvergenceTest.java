package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A migration that exits 0 has reached the wanted schema: the next check finds no drift. */
class ConvergenceTest {
    @TempDir
    Path dir;

    Path database() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT)");
            st.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id))");
            st.execute("INSERT INTO parent VALUES (1, 'a')");
            st.execute("INSERT INTO child VALUES (10, 1)");
        }
        return db;
    }

    Path schema() throws Exception {
        return Files.writeString(dir.resolve("schema.sql"), "CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT) --% renamed table=parent\n;\n"
                + "CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES owners(id));\n");
    }

    @Test
    void preSqlThatKeepsForeignKeysOnTheOldNameOfARenamedTableFailsAndChangesNothing() throws Exception {
        Path db = database();
        String before = PlannerCasesTest.dump(db);
        Path pre = Files.writeString(dir.resolve("pre.sql"), "PRAGMA legacy_alter_table = ON;\n");
        Migrator migrator = Migrator.configure().database(db).schema(schema()).pre(pre).load();
        assertThatThrownBy(migrator::migrate).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
            assertThat(e.getMessage()).contains("still differs from the wanted schema").contains("child");
            assertThat(e.hint()).contains("legacy_alter_table");
        });
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
        Migrator.configure().database(db).schema(schema()).load().migrate();
        assertThat(Migrator.configure().database(db).schema(schema()).load().check().upToDate()).isTrue();
        assertThat(PlannerCasesTest.query(db, "SELECT o.name FROM child c JOIN owners o ON o.id = c.pid")).isEqualTo("a");
    }

    @Test
    void postSqlThatChangesTheSchemaFailsAndChangesNothing() throws Exception {
        Path db = database();
        String before = PlannerCasesTest.dump(db);
        Path post = Files.writeString(dir.resolve("post.sql"), "UPDATE owners SET name = 'b';\nCREATE INDEX extra ON child(pid);\n");
        assertThatThrownBy(() -> Migrator.configure().database(db).schema(schema()).post(post).load().migrate())
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.getMessage()).contains("index extra"));
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }
}
