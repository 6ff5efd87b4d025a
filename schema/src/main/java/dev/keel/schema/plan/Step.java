package dev.keel.schema.plan;

import java.util.Objects;

/** One statement of a plan and the reason it is there. */
public record Step(String sql, String why) {
    public Step {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(why, "why");
    }

    @Override
    public String toString() {
        return "-- " + why + "\n" + sql + ";";
    }
}
