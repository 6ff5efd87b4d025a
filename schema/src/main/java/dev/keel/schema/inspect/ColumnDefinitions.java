package dev.keel.schema.inspect;

import dev.keel.schema.sql.Normalizer;
import dev.keel.schema.sql.SqlToken;
import dev.keel.schema.sql.TableDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical text of a column definition, in which spellings SQLite treats as the same column
 * compare equal: a generated column may be written {@code AS (e)}, {@code AS (e) VIRTUAL} or
 * {@code GENERATED ALWAYS AS (e) [VIRTUAL]} (VIRTUAL is the default; STORED stays a difference).
 */
final class ColumnDefinitions {
    private ColumnDefinitions() {
    }

    /** Canonical definition after the column name. */
    static String canonical(TableDefinition.ColumnDefinition column) {
        List<SqlToken> tokens = column.tokens();
        List<SqlToken> out = new ArrayList<>();
        int depth = 0;
        int generatedDepthEnd = -1; // index of the token after the AS (...) expression, when it is at the top level
        for (int i = 1; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            if (depth == 0 && t.isWord("GENERATED") && i + 2 < tokens.size() && tokens.get(i + 1).isWord("ALWAYS")
                    && tokens.get(i + 2).isWord("AS")) {
                i++; // drop GENERATED ALWAYS; AS is kept below
                continue;
            }
            if (depth == 0 && i == generatedDepthEnd && t.isWord("VIRTUAL")) continue;
            if (depth == 0 && t.isWord("AS") && i + 1 < tokens.size() && tokens.get(i + 1).isPunct("(")) {
                generatedDepthEnd = closing(tokens, i + 1) + 1;
            }
            if (t.isPunct("(")) depth++;
            else if (t.isPunct(")")) depth--;
            out.add(t);
        }
        return Normalizer.normalize(out);
    }

    /** Index of the parenthesis closing the one at {@code open}, or the last index when unbalanced. */
    private static int closing(List<SqlToken> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            if (tokens.get(i).isPunct("(")) depth++;
            else if (tokens.get(i).isPunct(")") && --depth == 0) return i;
        }
        return tokens.size() - 1;
    }
}
