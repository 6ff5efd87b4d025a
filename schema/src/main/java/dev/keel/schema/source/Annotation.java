package dev.keel.schema.source;

import dev.keel.schema.sql.SqlExpression;

/**
 * One {@code --%} annotation from a schema file: what it says, the table (and column) it is attached
 * to, and where it was written, for error messages. The value of {@code fill} and {@code using} is
 * the text of a checked {@link SqlExpression}, so it can be pasted into the statements Keel writes.
 */
public record Annotation(Kind kind, String table, String column, String value, String location) {

    /** Throws IllegalArgumentException when a fill or using value is not one expression. */
    public Annotation {
        if (kind.takesExpression()) value = new SqlExpression(value).text();
    }

    /** What an annotation asks for. */
    public enum Kind {
        /** {@code --% renamed table=old}: the table used to be called {@code old}. */
        RENAMED_TABLE("renamed table"),
        /** {@code --% renamed column=old}: the column used to be called {@code old}. */
        RENAMED_COLUMN("renamed column"),
        /** {@code --% fill=<expr>}: the value a new column gets on existing rows. */
        FILL("fill"),
        /** {@code --% using=<expr>}: how existing values are converted when the column is rebuilt. */
        USING("using");

        private final String spelling;

        Kind(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }

        /** True for the kinds whose value is a SQL expression rather than a name. */
        public boolean takesExpression() {
            return this == FILL || this == USING;
        }
    }

    /** The expression of a fill or using annotation. */
    public SqlExpression expression() {
        if (!kind.takesExpression()) throw new IllegalStateException(kind.spelling() + " has a name, not an expression");
        return new SqlExpression(value);
    }

    @Override
    public String toString() {
        return "--% " + kind.spelling() + "=" + value + " (" + location + ")";
    }
}
