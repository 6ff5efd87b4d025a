package dev.keel.schema.model;

/**
 * A table column as SQLite reports it (PRAGMA table_xinfo) plus its definition text: {@code definition}
 * is the canonical definition after the name, {@code text} the original text including the name.
 */
public record Column(String name, String declaredType, boolean notNull, String defaultSql, int primaryKey,
                     Generated generated, String definition, String text) {

    /** Whether and how the column is computed. */
    public enum Generated { NO, VIRTUAL, STORED }

    /** Maps PRAGMA table_xinfo's "hidden" value. */
    public static Generated generatedFrom(int hidden) {
        return hidden == 2 ? Generated.VIRTUAL : hidden == 3 ? Generated.STORED : Generated.NO;
    }

    public boolean isGenerated() {
        return generated != Generated.NO;
    }

    @Override
    public String toString() {
        return text;
    }
}
