package dev.keel.schema.sql;

import java.util.Set;

/** Quoting and comparing SQLite identifiers (case-insensitive for ASCII, as SQLite compares them). */
public final class Identifiers {
    /** SQLite's keywords (sqlite3_keyword_name); a name equal to one of them must be quoted. */
    static final Set<String> KEYWORDS = Set.of(
            "abort", "action", "add", "after", "all", "alter", "always", "analyze", "and", "as", "asc",
            "attach", "autoincrement", "before", "begin", "between", "by", "cascade", "case", "cast", "check",
            "collate", "column", "commit", "conflict", "constraint", "create", "cross", "current",
            "current_date", "current_time", "current_timestamp", "database", "default", "deferrable",
            "deferred", "delete", "desc", "detach", "distinct", "do", "drop", "each", "else", "end", "escape",
            "except", "exclude", "exclusive", "exists", "explain", "fail", "filter", "first", "following",
            "for", "foreign", "from", "full", "generated", "glob", "group", "groups", "having", "if", "ignore",
            "immediate", "in", "index", "indexed", "initially", "inner", "insert", "instead", "intersect",
            "into", "is", "isnull", "join", "key", "last", "left", "like", "limit", "match", "materialized",
            "natural", "no", "not", "nothing", "notnull", "null", "nulls", "of", "offset", "on", "or", "order",
            "others", "outer", "over", "partition", "plan", "pragma", "preceding", "primary", "query", "raise",
            "range", "recursive", "references", "regexp", "reindex", "release", "rename", "replace", "restrict",
            "returning", "right", "rollback", "row", "rows", "savepoint", "select", "set", "table", "temp",
            "temporary", "then", "ties", "to", "transaction", "trigger", "unbounded", "union", "unique",
            "update", "using", "vacuum", "values", "view", "virtual", "when", "where", "window", "with",
            "without");

    private Identifiers() {
    }

    /** The name in double quotes, with embedded quotes doubled: always safe in SQLite. */
    public static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A string literal. */
    public static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /**
     * The key SQLite would use to compare two names: only ASCII letters fold (sqlite3StrICmp), so
     * {@code "Äpfel"} and {@code "äpfel"} are two tables, while {@code Users} and {@code users} are one.
     */
    public static String key(String name) {
        StringBuilder out = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (out == null) out = new StringBuilder(name);
                out.setCharAt(i, (char) (c + ('a' - 'A')));
            }
        }
        return out == null ? name : out.toString();
    }

    /** True when SQLite takes {@code a} and {@code b} for the same name (ASCII case ignored, nothing else). */
    public static boolean same(String a, String b) {
        return a.length() == b.length() && key(a).equals(key(b));
    }

    public static boolean isKeyword(String word) {
        return KEYWORDS.contains(key(word));
    }

    /** True when {@code name} may be written bare: a plain identifier that is not a keyword. */
    public static boolean isPlain(String name) {
        if (name.isEmpty() || isKeyword(name)) return false;
        char c = name.charAt(0);
        if (!(Character.isLetter(c) || c == '_')) return false;
        for (int i = 1; i < name.length(); i++) {
            char d = name.charAt(i);
            if (!(Character.isLetterOrDigit(d) || d == '_' || d == '$')) return false;
        }
        return true;
    }
}
