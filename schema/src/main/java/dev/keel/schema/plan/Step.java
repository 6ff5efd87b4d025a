package dev.keel.schema.plan;

import java.util.Objects;

/**
 * One statement of a plan and the reason it is there. A step with a {@link RowCountCheck} is a query
 * whose one row holds two counts that must be equal, or the migration stops and is rolled back.
 */
public record Step(String sql, String why, RowCountCheck check) {
    public Step {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(why, "why");
    }

    public Step(String sql, String why) {
        this(sql, why, null);
    }

    /** The rows of {@code table} before a rebuild (first column) and in its new copy (second column). */
    public record RowCountCheck(String table) {
        public RowCountCheck {
            Objects.requireNonNull(table, "table");
        }
    }

    @Override
    public String toString() {
        return "-- " + why + "\n" + sql + ";";
    }
}
