package dev.keel.schema.sql;

import java.util.List;
import java.util.Locale;

/**
 * Canonical text for SQL fragments, so two definitions compare equal when SQLite would treat them
 * alike: comments and whitespace dropped, words lower-cased (ASCII letters only, as SQLite folds names), identifiers unquoted where possible.
 */
public final class Normalizer {
    private Normalizer() {
    }

    /** Canonical form of the code tokens in {@code tokens} (comments are skipped). */
    public static String normalize(List<SqlToken> tokens) {
        StringBuilder out = new StringBuilder();
        for (SqlToken t : tokens) {
            if (t.isComment()) continue;
            if (out.length() > 0) out.append(' ');
            out.append(canonical(t));
        }
        return out.toString();
    }

    public static String normalize(String sql) {
        return normalize(SqlTokenizer.tokenize(sql));
    }

    /** Canonical text of one token. */
    public static String canonical(SqlToken t) {
        return switch (t.kind()) {
            case WORD -> Identifiers.key(t.text());
            case QUOTED_IDENTIFIER -> {
                String name = Identifiers.key(t.name());
                yield Identifiers.isPlain(name) ? name : Identifiers.quote(name);
            }
            case NUMBER -> t.text().toLowerCase(Locale.ROOT);
            default -> t.text();
        };
    }

    /** The original text of code tokens joined by single spaces (comments dropped, quoting kept). */
    public static String compact(List<SqlToken> tokens) {
        StringBuilder out = new StringBuilder();
        for (SqlToken t : tokens) {
            if (t.isComment()) continue;
            if (out.length() > 0) out.append(' ');
            out.append(t.text());
        }
        return out.toString();
    }
}
