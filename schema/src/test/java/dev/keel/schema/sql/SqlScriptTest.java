package dev.keel.schema.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.schema.source.Annotation;
import dev.keel.schema.source.AnnotationReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
    @Test
    void splitsOnTopLevelSemicolonsOnly() {
        String sql = "CREATE TABLE \"a;b\" ('x;y' TEXT, [c;d] INT, `e;f` INT); -- c;omment\n"
                + "/* block; comment */ CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
                + "  UPDATE t SET v = CASE WHEN new.v > 0 THEN 1 ELSE 0 END;\n  DELETE FROM u;\nEND;\n"
                + "SELECT 1";
        List<SqlStatement> statements = SqlScript.split("f.sql", sql);
        assertThat(statements).hasSize(3);
        assertThat(statements.get(0).sql()).startsWith("CREATE TABLE").endsWith("INT)");
        assertThat(statements.get(1).sql()).startsWith("CREATE TRIGGER").endsWith("END");
        assertThat(statements.get(1).line()).isEqualTo(2);
        assertThat(statements.get(2).location()).isEqualTo("f.sql:6");
    }

    @Test
    void normalizesQuotingCaseAndWhitespace() {
        assertThat(Normalizer.normalize("CREATE  TABLE [Foo] (\"Id\" INTEGER -- x\n, `select` TEXT)"))
                .isEqualTo(Normalizer.normalize("create table foo (id integer, \"select\" text)"));
        assertThat(Normalizer.normalize("DEFAULT 'A'")).isNotEqualTo(Normalizer.normalize("DEFAULT 'a'"));
    }

    @Test
    void parsesTableDefinitions() {
        TableDefinition d = TableDefinition.parse("CREATE TABLE IF NOT EXISTS main.\"t\" (a INT CHECK (a > 0), b TEXT,"
                + " CONSTRAINT pk PRIMARY KEY (a, b)) WITHOUT ROWID").orElseThrow();
        assertThat(d.name()).isEqualTo("t");
        assertThat(d.columns()).extracting(TableDefinition.ColumnDefinition::name).containsExactly("a", "b");
        assertThat(d.columns().get(0).normalized()).isEqualTo("int check ( a > 0 )");
        assertThat(d.constraints()).containsExactly("constraint pk primary key ( a , b )");
        assertThat(d.options()).isEqualTo("without rowid");
        assertThat(d.withName("_new")).isEqualTo("CREATE TABLE IF NOT EXISTS \"_new\" (a INT CHECK (a > 0), b TEXT,"
                + " CONSTRAINT pk PRIMARY KEY (a, b)) WITHOUT ROWID");
    }

    @Test
    void annotationsAttachToTheColumnOnTheirLineOrTheNextOne() {
        String sql = "CREATE TABLE t ( --% renamed table=old\n"
                + "  a TEXT, --% renamed column=x\n"
                + "  --% fill=1 + 1\n"
                + "  b INT NOT NULL,\n"
                + "  c INT --% using=CAST(c AS INT)\n"
                + ")";
        List<Annotation> annotations = AnnotationReader.read(SqlScript.split("s.sql", sql).get(0));
        assertThat(annotations).extracting(Annotation::kind, Annotation::column, Annotation::value, Annotation::location)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Annotation.Kind.RENAMED_TABLE, null, "old", "s.sql:1"),
                        org.assertj.core.groups.Tuple.tuple(Annotation.Kind.RENAMED_COLUMN, "a", "x", "s.sql:2"),
                        org.assertj.core.groups.Tuple.tuple(Annotation.Kind.FILL, "b", "1 + 1", "s.sql:3"),
                        org.assertj.core.groups.Tuple.tuple(Annotation.Kind.USING, "c", "CAST(c AS INT)", "s.sql:5"));
    }
}
