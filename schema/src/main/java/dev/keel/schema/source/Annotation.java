package dev.keel.schema.source;

/**
 * One {@code --%} annotation from a schema file: what it says, the table (and column) it is attached
 * to, and where it was written, for error messages.
 */
public record Annotation(Kind kind, String table, String column, String value, String location) {

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
    }

    @Override
    public String toString() {
        return "--% " + kind.spelling() + "=" + value + " (" + location + ")";
    }
}
