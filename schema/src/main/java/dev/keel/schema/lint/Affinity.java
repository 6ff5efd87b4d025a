package dev.keel.schema.lint;

import java.util.Locale;

/** SQLite's column affinity rules (section 3.1 of "Datatypes In SQLite"), for judging type changes. */
enum Affinity {
    INTEGER, TEXT, BLOB, REAL, NUMERIC;

    static Affinity of(String declaredType) {
        String t = declaredType == null ? "" : declaredType.toUpperCase(Locale.ROOT);
        if (t.contains("INT")) return INTEGER;
        if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) return TEXT;
        if (t.contains("BLOB") || t.isBlank() || t.equals("ANY")) return BLOB;
        if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) return REAL;
        return NUMERIC;
    }

    /**
     * A SQL condition on {@code column} true for values that moving from {@code from} to this affinity
     * would alter or (in a STRICT table) reject; null when the change cannot narrow anything.
     */
    String narrowedBy(Affinity from, String column) {
        if (this == from || this == TEXT || this == BLOB) return null;
        return switch (this) {
            case INTEGER -> "typeof(" + column + ") IN ('text', 'blob') OR (typeof(" + column + ") = 'real' AND "
                    + column + " <> CAST(" + column + " AS INTEGER))";
            case REAL, NUMERIC -> from == INTEGER || from == REAL || from == NUMERIC ? null
                    : "typeof(" + column + ") IN ('text', 'blob')";
            default -> null;
        };
    }
}
