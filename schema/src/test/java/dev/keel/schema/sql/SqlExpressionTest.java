package dev.keel.schema.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlExpressionTest {
    @Test
    void aTrailingCommentEndsTheExpression() {
        assertThat(SqlExpression.inAnnotation(" length(v) + 1 -- old rows ").text()).isEqualTo("length(v) + 1");
        assertThat(SqlExpression.inAnnotation("'a -- b' || \"c -- d\"").text()).isEqualTo("'a -- b' || \"c -- d\"");
        assertThat(SqlExpression.inAnnotation("coalesce(v, 0) /* keep */").text()).isEqualTo("coalesce(v, 0) /* keep */");
    }

    @Test
    void textThatCouldEscapeTheStatementItIsPastedIntoIsRefused() {
        assertRefused("0;", "';'");
        assertRefused("(select 1) where 0; drop table keepme", "';'");
        assertRefused("0) FROM kv; SELECT (1", "did not open");
        assertRefused("(0", "not balanced");
        assertRefused("'open", "unterminated string");
        assertRefused("\"open", "unterminated quoted name");
        assertRefused("[open", "unterminated quoted name");
        assertRefused("x'00", "unterminated blob");
        assertRefused("0 /* open", "unterminated comment");
        assertRefused("'it''", "unterminated string");
        assertRefused("0 -- comment", "-- comment");
        assertRefused("1, 2", "','");
        assertRefused("SELECT 1", "parentheses");
        assertRefused(":name", "bind parameter");
        assertRefused("\"LOAD_EXTENSION\" ('x.so')", "load_extension");
        assertRefused("  ", "no expression");
        assertThat(new SqlExpression("'it''s' || [a b]").text()).isEqualTo("'it''s' || [a b]");
    }

    private static void assertRefused(String text, String why) {
        assertThatThrownBy(() -> new SqlExpression(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(why);
    }
}
