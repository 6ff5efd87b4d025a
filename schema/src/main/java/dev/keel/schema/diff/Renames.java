package dev.keel.schema.diff;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.model.Schema;
import dev.keel.schema.model.Table;
import dev.keel.schema.source.Annotation;
import dev.keel.schema.source.Annotations;
import dev.keel.schema.sql.Identifiers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The renames a plan performs, resolved from {@code --% renamed} annotations against the live
 * database: table renames in an order that never collides, and column renames per (new) table.
 * An annotation that is already applied (only the new name exists) is ignored; one that names nothing
 * that exists, or whose old and new names both exist, is an error. So is a schema that renames a name
 * away and declares a new table or column under it: that would work once and then contradict the
 * database on every later run, so it takes two migrations.
 */
public record Renames(List<Rename> tables, Map<String, List<Rename>> columns) {

    private static final String RENAME_THEN_REUSE = "rename in one migration, then remove the annotation and declare "
            + "the new one under the old name in a later migration";

    /** One rename from {@code from} to {@code to}. */
    public record Rename(String from, String to) {
    }

    public static Renames none() {
        return new Renames(List.of(), Map.of());
    }

    /** The name the table called {@code wantedTable} has in the live database before the plan runs. */
    public String currentTable(String wantedTable) {
        for (Rename r : tables) {
            if (Identifiers.same(r.to(), wantedTable)) return r.from();
        }
        return wantedTable;
    }

    /** The name a column of the (wanted) table has before the plan runs. */
    public String currentColumn(String wantedTable, String wantedColumn) {
        for (Rename r : columnsOf(wantedTable)) {
            if (Identifiers.same(r.to(), wantedColumn)) return r.from();
        }
        return wantedColumn;
    }

    public List<Rename> columnsOf(String wantedTable) {
        return columns.getOrDefault(Identifiers.key(wantedTable), List.of());
    }

    /** True when the current table {@code name} is renamed away. */
    public boolean isRenamedAway(String currentName) {
        return tables.stream().anyMatch(r -> Identifiers.same(r.from(), currentName));
    }

    /** Resolves every rename annotation of {@code wanted} against {@code current}. */
    public static Renames resolve(Schema current, Schema wanted, Annotations annotations) {
        List<Rename> tableRenames = new ArrayList<>();
        Map<String, List<Rename>> columnRenames = new LinkedHashMap<>();
        for (Table w : wanted.tables()) {
            Optional<Annotation> renamed = annotations.find(Annotation.Kind.RENAMED_TABLE, w.name(), null);
            String source = w.name();
            if (renamed.isPresent()) {
                Annotation a = renamed.get();
                if (!Identifiers.same(a.value(), w.name()) && wanted.table(a.value())
                        .filter(old -> annotations.find(Annotation.Kind.RENAMED_TABLE, old.name(), null).isEmpty()).isPresent()) {
                    throw bad(a, "'renamed table=" + a.value() + "' on table " + w.name() + " contradicts the schema file, which "
                            + "also declares a new table " + a.value(), RENAME_THEN_REUSE);
                }
                boolean hasNew = current.table(w.name()).isPresent() && !tableRenamedAway(w.name(), current, wanted, annotations);
                boolean hasOld = current.table(a.value()).isPresent();
                // the old name still wanted here means a chain (b from a, c from b): after it ran, both exist
                if (hasNew && hasOld && wanted.table(a.value()).isEmpty() && !Identifiers.same(a.value(), w.name())) {
                    throw bad(a, "'renamed table=" + a.value() + "' on table " + w.name() + " contradicts the database: both table "
                            + a.value() + " and table " + w.name() + " exist, so Keel cannot tell which one holds the data",
                            "remove the annotation if the rename already happened, or drop or rename one of the tables first");
                }
                if (!hasNew && hasOld) {
                    tableRenames.add(new Rename(current.table(a.value()).get().name(), w.name()));
                    source = a.value();
                } else if (!hasNew && !current.tables().isEmpty()) {
                    throw bad(a, "table " + a.value() + " named by 'renamed table' does not exist in the database",
                            "check the old table name, or remove the annotation");
                }
            }
            Optional<Table> currentTable = current.table(source);
            if (currentTable.isEmpty()) continue;
            List<Rename> columns = columnRenames(currentTable.get(), w, annotations);
            if (!columns.isEmpty()) columnRenames.put(Identifiers.key(w.name()), order(columns, "columns of " + w.name()));
        }
        return new Renames(order(tableRenames, "tables"), columnRenames);
    }

    private static List<Rename> columnRenames(Table current, Table wanted, Annotations annotations) {
        List<Rename> out = new ArrayList<>();
        for (Annotation a : annotations.ofTable(wanted.name())) {
            if (a.column() == null) continue;
            boolean exists = current.hasColumn(a.column()) && !columnRenamedAway(a.column(), current, wanted, annotations);
            switch (a.kind()) {
                case RENAMED_COLUMN -> {
                    if (!Identifiers.same(a.value(), a.column()) && wanted.hasColumn(a.value())
                            && annotations.find(Annotation.Kind.RENAMED_COLUMN, wanted.name(), a.value()).isEmpty()) {
                        throw bad(a, "'renamed column=" + a.value() + "' on column " + wanted.name() + "." + a.column()
                                + " contradicts the schema file, which also declares a new column " + a.value(), RENAME_THEN_REUSE);
                    }
                    boolean hasOld = current.hasColumn(a.value());
                    if (exists && hasOld && !wanted.hasColumn(a.value()) && !Identifiers.same(a.value(), a.column())) {
                        throw bad(a, "'renamed column=" + a.value() + "' on column " + wanted.name() + "." + a.column()
                                + " contradicts the database: both column " + a.value() + " and column " + a.column()
                                + " exist in table " + current.name() + ", so Keel cannot tell which one holds the data",
                                "remove the annotation if the rename already happened, or drop one of the columns first");
                    }
                    if (!exists && hasOld) {
                        out.add(new Rename(current.column(a.value()).get().name(), a.column()));
                    } else if (!exists) {
                        throw bad(a, "column " + a.value() + " named by 'renamed column' does not exist in table " + current.name(),
                                "check the old column name, or remove the annotation");
                    }
                }
                case USING -> {
                    boolean renamedHere = annotations.find(Annotation.Kind.RENAMED_COLUMN, wanted.name(), a.column())
                            .map(r -> current.hasColumn(r.value())).orElse(false);
                    if (!exists && !renamedHere) {
                        throw bad(a, "'using' converts an existing column, and " + current.name() + "." + a.column()
                                + " does not exist in the database", "use --% fill=EXPR to populate a new column");
                    }
                }
                default -> {
                }
            }
        }
        return out;
    }

    /** True when this plan renames the live table {@code name} away (a chain: c from b, b from a). */
    private static boolean tableRenamedAway(String name, Schema current, Schema wanted, Annotations annotations) {
        return current.table(name).isPresent() && wanted.tables().stream().anyMatch(t -> !Identifiers.same(t.name(), name)
                && current.table(t.name()).isEmpty()
                && annotations.find(Annotation.Kind.RENAMED_TABLE, t.name(), null).filter(r -> Identifiers.same(r.value(), name)).isPresent());
    }

    /** True when this plan renames the live column {@code name} away within the table. */
    private static boolean columnRenamedAway(String name, Table current, Table wanted, Annotations annotations) {
        return current.hasColumn(name) && wanted.columns().stream().anyMatch(c -> !Identifiers.same(c.name(), name)
                && !current.hasColumn(c.name())
                && annotations.find(Annotation.Kind.RENAMED_COLUMN, wanted.name(), c.name()).filter(r -> Identifiers.same(r.value(), name)).isPresent());
    }

    /** Orders renames so none targets a name still in use; a cycle cannot be ordered. */
    private static List<Rename> order(List<Rename> renames, String what) {
        List<Rename> left = new ArrayList<>(renames);
        List<Rename> out = new ArrayList<>();
        while (!left.isEmpty()) {
            Rename next = null;
            for (Rename r : left) {
                boolean targetBusy = left.stream().anyMatch(o -> o != r && Identifiers.same(o.from(), r.to()));
                if (!targetBusy) {
                    next = r;
                    break;
                }
            }
            if (next == null) {
                throw new KeelException(ErrorCode.BAD_INPUT, "the renames of " + what + " form a cycle: " + left, null,
                        "rename through a temporary name in two separate migrations");
            }
            out.add(next);
            left.remove(next);
        }
        return out;
    }

    private static KeelException bad(Annotation a, String message, String hint) {
        return new KeelException(ErrorCode.BAD_INPUT, message, a.location(), hint);
    }
}
