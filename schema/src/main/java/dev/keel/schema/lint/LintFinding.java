package dev.keel.schema.lint;

/** A reason the plan would fail or lose data on this database: where, how many rows, what to do. */
public record LintFinding(String table, String column, long rows, String message, String hint) {
    @Override
    public String toString() {
        return message;
    }
}
