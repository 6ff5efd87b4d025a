package dev.keel.schema.model;

import dev.keel.schema.sql.Identifiers;
import java.util.List;
import java.util.Optional;

/**
 * Everything a plan compares: tables, views and triggers of one database, in creation order; plus
 * the names of the tables replication keeps in it ({@link ReplicationTables}), which are compared
 * with nothing but whose names a plan must not reuse.
 */
public record Schema(List<Table> tables, List<View> views, List<Trigger> triggers, List<String> replicationTables) {
    public Schema {
        tables = List.copyOf(tables);
        views = List.copyOf(views);
        triggers = List.copyOf(triggers);
        replicationTables = List.copyOf(replicationTables);
    }

    public Optional<Table> table(String name) {
        return tables.stream().filter(t -> Identifiers.same(t.name(), name)).findFirst();
    }

    public Optional<View> view(String name) {
        return views.stream().filter(v -> Identifiers.same(v.name(), name)).findFirst();
    }

    public Optional<Trigger> trigger(String name) {
        return triggers.stream().filter(t -> Identifiers.same(t.name(), name)).findFirst();
    }

    public boolean isEmpty() {
        return tables.isEmpty() && views.isEmpty() && triggers.isEmpty();
    }
}
