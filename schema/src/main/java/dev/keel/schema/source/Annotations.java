package dev.keel.schema.source;

import dev.keel.schema.sql.Identifiers;
import java.util.List;
import java.util.Optional;

/** All annotations of a wanted schema, looked up by table and column. */
public record Annotations(List<Annotation> all) {
    public Annotations {
        all = List.copyOf(all);
    }

    public static Annotations none() {
        return new Annotations(List.of());
    }

    /** The annotation of {@code kind} on {@code table}'s column {@code column} (null column for table level). */
    public Optional<Annotation> find(Annotation.Kind kind, String table, String column) {
        return all.stream()
                .filter(a -> a.kind() == kind && Identifiers.same(a.table(), table)
                        && (column == null ? a.column() == null : a.column() != null && Identifiers.same(a.column(), column)))
                .findFirst();
    }

    public List<Annotation> ofTable(String table) {
        return all.stream().filter(a -> Identifiers.same(a.table(), table)).toList();
    }
}
