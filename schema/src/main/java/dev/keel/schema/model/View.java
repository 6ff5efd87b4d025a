package dev.keel.schema.model;

/** A view and its CREATE VIEW text. */
public record View(String name, String sql) {
}
