package dev.keel.schema.model;

import dev.keel.schema.sql.Identifiers;
import dev.keel.schema.sql.TableDefinition;
import java.util.List;
import java.util.Optional;

/**
 * A table: its CREATE text as stored in sqlite_schema, columns, indexes, foreign keys and options.
 * {@code definition} is absent for virtual tables, which are compared by their text only.
 */
public record Table(String name, String sql, boolean virtual, boolean withoutRowid, boolean strict,
                    List<Column> columns, List<Index> indexes, List<ForeignKey> foreignKeys,
                    Optional<TableDefinition> definition) {
    public Table {
        columns = List.copyOf(columns);
        indexes = List.copyOf(indexes);
        foreignKeys = List.copyOf(foreignKeys);
    }

    public Optional<Column> column(String columnName) {
        return columns.stream().filter(c -> Identifiers.same(c.name(), columnName)).findFirst();
    }

    public boolean hasColumn(String columnName) {
        return column(columnName).isPresent();
    }

    public boolean autoincrement() {
        return definition.map(TableDefinition::autoincrement).orElse(false);
    }

    /** Indexes created by CREATE INDEX (the ones a plan creates and drops itself). */
    public List<Index> explicitIndexes() {
        return indexes.stream().filter(Index::explicit).toList();
    }

    /** The column that is an alias for the rowid (INTEGER PRIMARY KEY), if any. */
    public Optional<Column> rowidAlias() {
        if (withoutRowid || virtual) return Optional.empty();
        List<Column> pk = columns.stream().filter(c -> c.primaryKey() > 0).toList();
        if (pk.size() != 1 || !"INTEGER".equalsIgnoreCase(pk.get(0).declaredType())) return Optional.empty();
        return Optional.of(pk.get(0));
    }

    @Override
    public String toString() {
        return name;
    }
}
