package dev.keel.schema.plan;

import dev.keel.schema.model.Column;
import dev.keel.schema.sql.Identifiers;
import dev.keel.schema.sql.SqlToken;
import dev.keel.schema.sql.SqlTokenizer;
import java.util.List;

/** A column's DEFAULT as an expression a SELECT can compute (for rows copied with no other value). */
final class DefaultValue {
    private DefaultValue() {
    }

    /** "NULL" without a default; a bare word default (SQLite reads {@code DEFAULT abc} as 'abc') as a string literal. */
    static String expression(Column column) {
        String sql = column.defaultSql();
        if (sql == null) return "NULL";
        List<SqlToken> tokens = SqlTokenizer.withoutComments(SqlTokenizer.tokenize(sql));
        if (tokens.size() == 1 && tokens.get(0).kind() == SqlToken.Kind.WORD && !Identifiers.isKeyword(sql)
                && !sql.equalsIgnoreCase("true") && !sql.equalsIgnoreCase("false")) {
            return Identifiers.literal(sql);
        }
        return "(" + sql + ")";
    }
}
