package dev.keel.schema.lint;

import java.util.Locale;

/** SQLite's column affinity rules (section 3.1 of "Datatypes In SQLite"), for judging type changes. */
enum Affinity {
    INTEGER, TEXT, BLOB, REAL, NUMERIC;

    /**
     * The affinity of a column declared {@code declaredType}; in a STRICT table {@code ANY} converts
     * nothing (like BLOB), in an ordinary table it is just an unknown type name: NUMERIC.
     */
    static Affinity of(String declaredType, boolean strict) {
        String t = declaredType == null ? "" : declaredType.toUpperCase(Locale.ROOT);
        if (t.contains("INT")) return INTEGER;
        if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) return TEXT;
        if (t.contains("BLOB") || t.isBlank() || (strict && t.equals("ANY"))) return BLOB;
        if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) return REAL;
        return NUMERIC;
    }

    /**
     * A SQL condition on {@code column} true for values that moving from {@code from} to this affinity
     * would alter or (in a STRICT table) reject; null when the change cannot narrow anything.
     */
    String narrowedBy(Affinity from, String column) {
        if (this == from || this == TEXT || this == BLOB) return null;
        String text = "typeof(" + column + ") IN ('text', 'blob')";
        boolean numericBefore = from == INTEGER || from == REAL || from == NUMERIC;
        return switch (this) {
            case INTEGER -> text + " OR (typeof(" + column + ") = 'real' AND " + column + " <> CAST(" + column + " AS INTEGER))";
            // a double holds integers exactly only up to 2^53: REAL affinity rounds larger ones
            case REAL -> (numericBefore ? "" : text + " OR ") + "(typeof(" + column + ") = 'integer' AND CAST(CAST("
                    + column + " AS REAL) AS INTEGER) <> " + column + ")";
            case NUMERIC -> numericBefore ? null : text;
            default -> null;
        };
    }
}
