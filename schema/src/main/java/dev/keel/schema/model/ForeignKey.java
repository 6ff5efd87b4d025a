package dev.keel.schema.model;

import java.util.List;

/** A foreign key of {@code table}: columns {@code from} reference {@code to} of {@code parent}. */
public record ForeignKey(String table, String parent, List<String> from, List<String> to, String onUpdate,
                         String onDelete) {
    public ForeignKey {
        from = List.copyOf(from);
        to = to.stream().map(t -> t == null ? "" : t).toList();
    }
}
