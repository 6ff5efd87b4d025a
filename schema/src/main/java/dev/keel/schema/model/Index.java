package dev.keel.schema.model;

import java.util.List;

/**
 * An index: explicit ({@code sql} is its CREATE INDEX text) or implied by a UNIQUE/PRIMARY KEY
 * constraint ({@code sql} is null). {@code columns} holds a null entry for each expression key.
 */
public record Index(String name, String table, String sql, boolean unique, String origin, boolean partial,
                    List<String> columns) {
    public Index {
        columns = columns == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(columns));
    }

    /** True for indexes created by CREATE INDEX (not by a table constraint). */
    public boolean explicit() {
        return sql != null;
    }

    /** True when every key is a plain column. */
    public boolean plainColumns() {
        return !columns.isEmpty() && columns.stream().allMatch(java.util.Objects::nonNull);
    }
}
