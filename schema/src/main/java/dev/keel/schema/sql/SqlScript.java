package dev.keel.schema.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements on top-level semicolons, keeping trigger bodies
 * (BEGIN ... END, with CASE ... END inside) whole and attaching each comment to a statement.
 */
public final class SqlScript {
    private SqlScript() {
    }

    /**
     * Splits {@code text}; a comment on the same line as the end of a statement belongs to that
     * statement, any other comment between statements belongs to the next one.
     */
    public static List<SqlStatement> split(String source, String text) {
        List<SqlToken> tokens = SqlTokenizer.tokenize(text);
        List<SqlStatement> out = new ArrayList<>();
        List<SqlToken> current = new ArrayList<>();
        List<SqlToken> pendingComments = new ArrayList<>();
        int lastEndLine = -1;
        boolean trigger = false;
        boolean inBody = false;
        int caseDepth = 0;
        int codeCount = 0;
        for (SqlToken t : tokens) {
            if (t.isComment()) {
                if (codeCount == 0 && lastEndLine == t.line() && !out.isEmpty()) {
                    out.set(out.size() - 1, withComment(out.get(out.size() - 1), t));
                } else if (codeCount == 0) {
                    pendingComments.add(t);
                } else {
                    current.add(t);
                }
                continue;
            }
            if (codeCount == 0) {
                current.addAll(pendingComments);
                pendingComments.clear();
            }
            if (t.isPunct(";") && (!trigger || !inBody)) {
                if (codeCount > 0) out.add(statement(source, text, current));
                current = new ArrayList<>();
                codeCount = 0;
                trigger = false;
                inBody = false;
                caseDepth = 0;
                lastEndLine = t.line();
                continue;
            }
            codeCount++;
            current.add(t);
            if (codeCount <= 3 && t.isWord("TRIGGER")) trigger = true;
            if (trigger) {
                if (t.isWord("BEGIN")) inBody = true;
                else if (t.isWord("CASE")) caseDepth++;
                else if (t.isWord("END")) {
                    if (caseDepth > 0) caseDepth--;
                    else inBody = false;
                }
            }
        }
        if (codeCount > 0) out.add(statement(source, text, current));
        return out;
    }

    private static SqlStatement withComment(SqlStatement s, SqlToken comment) {
        List<SqlToken> tokens = new ArrayList<>(s.tokens());
        tokens.add(comment);
        return new SqlStatement(s.source(), s.line(), s.sql(), tokens);
    }

    private static SqlStatement statement(String source, String text, List<SqlToken> tokens) {
        SqlToken first = null;
        SqlToken last = null;
        for (SqlToken t : tokens) {
            if (t.isComment()) continue;
            if (first == null) first = t;
            last = t;
        }
        String sql = text.substring(first.offset(), last.offset() + last.text().length());
        return new SqlStatement(source, first.line(), sql, tokens);
    }
}
