package dev.keel.schema.sql;

import dev.keel.schema.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into tokens following SQLite's quoting rules ('...', "...", [...], `...`,
 * -- and block comments), so statements can be split and annotations located without a full parser.
 */
public final class SqlTokenizer {
    private SqlTokenizer() {
    }

    /** Tokenizes {@code sql}; whitespace is dropped, comments are kept as tokens. */
    public static List<SqlToken> tokenize(String sql) {
        List<SqlToken> tokens = new ArrayList<>();
        int i = 0;
        int line = 1;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\n') {
                line++;
                i++;
                continue;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            int startLine = line;
            Kind kind;
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') i++;
                kind = Kind.LINE_COMMENT;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                kind = Kind.BLOCK_COMMENT;
            } else if (c == '\'' || c == '"' || c == '`') {
                i = closeDoubled(sql, i, c);
                kind = c == '\'' ? Kind.STRING : Kind.QUOTED_IDENTIFIER;
            } else if (c == '[') {
                int end = sql.indexOf(']', i + 1);
                i = end < 0 ? n : end + 1;
                kind = Kind.QUOTED_IDENTIFIER;
            } else if ((c == 'x' || c == 'X') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                i = closeDoubled(sql, i + 1, '\'');
                kind = Kind.NUMBER;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                i = number(sql, i);
                kind = Kind.NUMBER;
            } else if (isWordStart(c)) {
                while (i < n && isWordPart(sql.charAt(i))) i++;
                kind = Kind.WORD;
            } else if (c == '?' || c == ':' || c == '@' || c == '$') {
                i++;
                while (i < n && (isWordPart(sql.charAt(i)))) i++;
                kind = Kind.PARAMETER;
            } else {
                i += punctLength(sql, i);
                kind = Kind.PUNCT;
            }
            String text = sql.substring(start, i);
            for (int k = 0; k < text.length(); k++) {
                if (text.charAt(k) == '\n') line++;
            }
            tokens.add(new SqlToken(kind, text, start, startLine));
        }
        return tokens;
    }

    private static int closeDoubled(String sql, int i, char quote) {
        int j = i + 1;
        while (j < sql.length()) {
            if (sql.charAt(j) == quote) {
                if (j + 1 < sql.length() && sql.charAt(j + 1) == quote) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return sql.length();
    }

    private static int number(String sql, int i) {
        int n = sql.length();
        if (sql.startsWith("0x", i) || sql.startsWith("0X", i)) {
            i += 2;
            while (i < n && (Character.digit(sql.charAt(i), 16) >= 0 || sql.charAt(i) == '_')) i++;
            return i;
        }
        while (i < n && (Character.isDigit(sql.charAt(i)) || sql.charAt(i) == '.' || sql.charAt(i) == '_')) i++;
        if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) j++;
            if (j < n && Character.isDigit(sql.charAt(j))) {
                i = j;
                while (i < n && Character.isDigit(sql.charAt(i))) i++;
            }
        }
        return i;
    }

    private static int punctLength(String sql, int i) {
        if (i + 1 < sql.length()) {
            String two = sql.substring(i, i + 2);
            switch (two) {
                case "||", "<=", ">=", "==", "!=", "<>", "<<", ">>", "->" -> {
                    return i + 2 < sql.length() && two.equals("->") && sql.charAt(i + 2) == '>' ? 3 : 2;
                }
                default -> {
                }
            }
        }
        return 1;
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c > 127;
    }

    private static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
    }

    /** The first token of {@code code} (comments removed) that calls {@code function}, or null. */
    public static SqlToken call(List<SqlToken> code, String function) {
        for (int i = 0; i + 1 < code.size(); i++) {
            SqlToken t = code.get(i);
            if (t.isName() && t.name().equalsIgnoreCase(function) && code.get(i + 1).isPunct("(")) return t;
        }
        return null;
    }

    /** Tokens without comments. */
    public static List<SqlToken> withoutComments(List<SqlToken> tokens) {
        List<SqlToken> out = new ArrayList<>(tokens.size());
        for (SqlToken t : tokens) {
            if (!t.isComment()) out.add(t);
        }
        return out;
    }
}
