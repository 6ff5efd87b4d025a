package dev.keel.schema.sql;

import java.util.List;

/**
 * The text of one SQL expression taken from a schema file (a {@code --% fill=} or {@code --% using=}
 * value), safe to paste into a statement Keel writes: it cannot end that statement, start another
 * one, comment out the rest of it, or close a parenthesis it did not open. Whether SQLite parses it
 * as exactly one expression is checked separately, against the table it applies to
 * ({@link dev.keel.schema.source.Sandbox#checkExpression}).
 */
public record SqlExpression(String text) {

    /** Checks {@code text} token by token; throws IllegalArgumentException saying why it is not one expression. */
    public SqlExpression {
        String why = problem(text);
        if (why != null) throw new IllegalArgumentException(why);
    }

    /**
     * The expression at the start of an annotation's value: a trailing {@code -- comment} is a
     * remark about the annotation, not SQL, so the expression ends where its last token ends.
     */
    public static SqlExpression inAnnotation(String value) {
        List<SqlToken> tokens = SqlTokenizer.tokenize(value);
        int end = 0;
        for (SqlToken t : tokens) {
            if (t.kind() == SqlToken.Kind.LINE_COMMENT) break;
            end = t.offset() + t.text().length();
        }
        return new SqlExpression(value.substring(0, end).trim());
    }

    /** Why {@code text} cannot be pasted as one expression, or null when it can. */
    private static String problem(String text) {
        if (text == null || text.isBlank()) return "there is no expression";
        if (text.indexOf('\0') >= 0) return "it contains a NUL character";
        List<SqlToken> tokens = SqlTokenizer.tokenize(text);
        int depth = 0;
        boolean first = true;
        for (SqlToken t : tokens) {
            String unterminated = unterminated(t);
            if (unterminated != null) return "it has an unterminated " + unterminated;
            if (t.kind() == SqlToken.Kind.LINE_COMMENT) return "a -- comment inside it would comment out the rest of the statement";
            if (t.isComment()) continue;
            if (first && (t.isWord("SELECT") || t.isWord("WITH") || t.isWord("VALUES"))) {
                return "a subquery must be written in parentheses: (SELECT ...)";
            }
            first = false;
            if (t.isPunct(";")) return "it contains ';': an annotation holds one expression, not statements";
            if (t.kind() == SqlToken.Kind.PARAMETER) return "it has a bind parameter (" + t.text() + ") that nothing would set";
            if (t.isPunct("(")) depth++;
            if (t.isPunct(")") && --depth < 0) return "it closes a parenthesis it did not open";
            if (t.isPunct(",") && depth == 0) return "it has a ',' outside parentheses: an annotation holds one expression";
        }
        if (depth != 0) return "its parentheses are not balanced";
        if (SqlTokenizer.call(SqlTokenizer.withoutComments(tokens), "load_extension") != null) {
            return "it calls load_extension(), which loads native code";
        }
        return null;
    }

    /** What kind of token {@code t} is when it runs to the end of the text without being closed, else null. */
    private static String unterminated(SqlToken t) {
        String s = t.text();
        return switch (t.kind()) {
            case STRING -> s.length() < 2 || !s.endsWith("'") || !closed(s, '\'') ? "string" : null;
            case QUOTED_IDENTIFIER -> s.charAt(0) == '['
                    ? (s.endsWith("]") && s.length() >= 2 ? null : "quoted name")
                    : (s.length() < 2 || !closed(s, s.charAt(0)) ? "quoted name" : null);
            case NUMBER -> (s.startsWith("x'") || s.startsWith("X'")) && (s.length() < 3 || !closed(s.substring(1), '\''))
                    ? "blob literal" : null;
            case BLOCK_COMMENT -> s.length() < 4 || !s.endsWith("*/") ? "comment" : null;
            default -> null;
        };
    }

    /** True when {@code s}, which starts with {@code quote}, ends with a quote that is not half of a doubled one. */
    private static boolean closed(String s, char quote) {
        int i = 1;
        while (i < s.length()) {
            if (s.charAt(i) == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i == s.length() - 1;
            }
            i++;
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
