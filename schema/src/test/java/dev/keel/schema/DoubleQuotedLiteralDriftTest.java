package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite reads a double-quoted token that names no column as a string literal. Definitions are
 * compared with quoted names folded to lower case, so a change of case inside such a literal is not
 * seen as drift.
 */
class DoubleQuotedLiteralDriftTest {
    @TempDir
    Path dir;

    @Test
    @Disabled("known gap: telling a double-quoted literal from a quoted name needs SQLite's name resolution; "
            + "folding the case of every double-quoted token hides changes such as DEFAULT \"Active\" -> \"active\"")
    void aCaseChangeInsideADoubleQuotedLiteralIsDrift() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (a TEXT DEFAULT \"Active\", s TEXT CHECK (s IN (\"Open\", \"Closed\")))");
            st.execute("CREATE VIEW v AS SELECT a FROM t WHERE s = \"Open\"");
        }
        String[] changed = {
            "CREATE TABLE t (a TEXT DEFAULT \"active\", s TEXT CHECK (s IN (\"Open\", \"Closed\")));\nCREATE VIEW v AS SELECT a FROM t WHERE s = \"Open\";",
            "CREATE TABLE t (a TEXT DEFAULT \"Active\", s TEXT CHECK (s IN (\"open\", \"closed\")));\nCREATE VIEW v AS SELECT a FROM t WHERE s = \"Open\";",
            "CREATE TABLE t (a TEXT DEFAULT \"Active\", s TEXT CHECK (s IN (\"Open\", \"Closed\")));\nCREATE VIEW v AS SELECT a FROM t WHERE s = \"OPEN\";",
        };
        for (String schema : changed) {
            Path file = Files.writeString(dir.resolve("schema.sql"), schema);
            assertThat(Migrator.configure().database(db).schema(file).load().check().upToDate()).as(schema).isFalse();
        }
    }
}
