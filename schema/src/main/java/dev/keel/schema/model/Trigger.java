package dev.keel.schema.model;

/** A trigger on {@code table} and its CREATE TRIGGER text. */
public record Trigger(String name, String table, String sql) {
}
