package dev.keel.schema.diff;

import dev.keel.schema.inspect.Inspector;
import dev.keel.schema.model.Column;
import dev.keel.schema.model.Table;
import dev.keel.schema.source.Annotation;
import dev.keel.schema.source.Annotations;
import dev.keel.schema.sql.Identifiers;
import dev.keel.schema.sql.TableDefinition;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides how one existing table reaches its wanted definition: in place (ALTER TABLE DROP/ADD
 * COLUMN, tried first on the scratch copy) when the remaining columns, constraints and options
 * already match, otherwise by a rebuild.
 */
final class TableDiffer {
    private final Scratch scratch;
    private final Annotations annotations;

    TableDiffer(Scratch scratch, Annotations annotations) {
        this.scratch = scratch;
        this.annotations = annotations;
    }

    /** Changes that take {@code current} (already renamed on the scratch copy) to {@code wanted}. */
    List<Change> diff(Table current, Table wanted) throws SQLException {
        List<Column> dropped = current.columns().stream().filter(c -> !wanted.hasColumn(c.name())).toList();
        List<Column> added = wanted.columns().stream().filter(c -> !current.hasColumn(c.name())).toList();
        List<String> differences = differences(current, wanted);
        if (differences.isEmpty() && dropped.isEmpty() && added.isEmpty()) return List.of();
        if (!differences.isEmpty()) return List.of(rebuild(current, wanted, dropped, differences));

        scratch.attempt();
        List<Change> changes = new ArrayList<>();
        String blocker;
        scratch.run("PRAGMA ignore_check_constraints = ON");
        try {
            blocker = tryInPlace(current, wanted, dropped, added, changes);
            if (blocker == null) scratch.run("DELETE FROM " + Identifiers.quote(wanted.name())); // the trial row, if any
        } finally {
            scratch.run("PRAGMA ignore_check_constraints = OFF");
        }
        if (blocker != null) {
            scratch.undo();
            return List.of(rebuild(current, wanted, dropped, List.of(blocker)));
        }
        scratch.keep();
        return changes;
    }

    /**
     * Runs the drops and adds on the scratch copy, collecting them in {@code changes}; null when they
     * work and leave the wanted definition, otherwise why the table must be rebuilt. SQLite refuses
     * some ADD COLUMNs only on a table with rows (non-constant default, NOT NULL without default,
     * STORED), so the copy first gets a row: the trial sees what the live table will.
     */
    private String tryInPlace(Table current, Table wanted, List<Column> dropped, List<Column> added,
                              List<Change> changes) throws SQLException {
        String table = Identifiers.quote(wanted.name());
        if (!added.isEmpty()) {
            String error = scratch.error(oneRow(current));
            if (error != null) return "Keel cannot try ALTER TABLE on a copy of " + current.name() + " with a row (" + error + ")";
        }
        for (Column c : dropped) {
            String error = scratch.error("ALTER TABLE " + table + " DROP COLUMN " + Identifiers.quote(c.name()));
            if (error != null) return "SQLite cannot drop column " + c.name() + " in place (" + error + ")";
            changes.add(new Change.DropColumn(wanted.name(), c));
        }
        for (Column c : added) {
            String blocker = addBlocker(c);
            if (blocker != null) return blocker;
            String error = scratch.error("ALTER TABLE " + table + " ADD COLUMN " + c.text());
            if (error != null) return "SQLite cannot add column " + c.name() + " in place on a table with rows (" + error + ")";
            changes.add(new Change.AddColumn(wanted.name(), c, fill(wanted, c).orElse(null)));
        }
        Optional<Table> after = scratch.table(wanted.name());
        List<String> left = after.map(t -> differences(t, wanted)).orElse(List.of("table vanished"));
        return left.isEmpty() ? null : "in-place changes would still leave: " + String.join("; ", left);
    }

    private Change.RebuildTable rebuild(Table current, Table wanted, List<Column> dropped, List<String> reasons) {
        List<Change.ColumnCopy> copy = new ArrayList<>();
        List<String> why = new ArrayList<>(reasons);
        for (Column c : wanted.columns()) {
            if (c.isGenerated()) continue;
            Optional<Annotation> using = annotations.find(Annotation.Kind.USING, wanted.name(), c.name());
            if (using.isPresent() && current.hasColumn(c.name())) {
                copy.add(new Change.ColumnCopy(c.name(), using.get().value()));
            } else if (current.column(c.name()).map(o -> !o.isGenerated()).orElse(false)) {
                copy.add(new Change.ColumnCopy(c.name(), Identifiers.quote(current.column(c.name()).get().name())));
            } else if (!current.hasColumn(c.name())) {
                Optional<String> fill = fill(wanted, c);
                fill.ifPresent(f -> copy.add(new Change.ColumnCopy(c.name(), f)));
                why.add("new column " + c.name() + (fill.isPresent() ? " filled with " + fill.get() : ""));
            }
        }
        for (Column c : dropped) why.add("column " + c.name() + " is dropped");
        return new Change.RebuildTable(current, wanted, copy, dropped, why);
    }

    private Optional<String> fill(Table wanted, Column c) {
        return annotations.find(Annotation.Kind.FILL, wanted.name(), c.name()).map(Annotation::value);
    }

    /** Why SQLite's ADD COLUMN cannot add {@code c} (its documented restrictions), or null. */
    private static String addBlocker(Column c) {
        if (c.generated() == Column.Generated.STORED) return "new column " + c.name() + " is a STORED generated column";
        if (c.isGenerated()) return null;
        if (c.notNull() && (c.defaultSql() == null || c.defaultSql().equalsIgnoreCase("NULL"))) {
            return "new column " + c.name() + " is NOT NULL without a default";
        }
        return null;
    }

    /** An INSERT of one row into {@code table} whose values fit each column's STRICT type (CHECKs are ignored). */
    private static String oneRow(Table table) {
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (Column c : table.columns()) {
            if (c.isGenerated()) continue;
            names.add(Identifiers.quote(c.name()));
            values.add(table.strict() ? strictValue(c.declaredType()) : "1");
        }
        return "INSERT INTO " + Identifiers.quote(table.name()) + " (" + String.join(", ", names) + ") VALUES ("
                + String.join(", ", values) + ")";
    }

    private static String strictValue(String type) {
        return switch (type == null ? "" : type.toUpperCase(Locale.ROOT)) {
            case "REAL" -> "1.0";
            case "TEXT" -> "'1'";
            case "BLOB" -> "x'01'";
            default -> "1"; // INT, INTEGER, ANY
        };
    }

    /**
     * How two tables with the same name differ in anything but the set of columns: options, table
     * constraints, and the definition of each column both have. Empty when they match.
     */
    static List<String> differences(Table current, Table wanted) {
        List<String> out = new ArrayList<>();
        if (current.virtual() || wanted.virtual() || current.definition().isEmpty() || wanted.definition().isEmpty()) {
            if (!Inspector.normalized(current.sql()).equals(Inspector.normalized(wanted.sql()))) {
                out.add("definition changes");
            }
            return out;
        }
        TableDefinition c = current.definition().get();
        TableDefinition w = wanted.definition().get();
        if (!c.options().equals(w.options())) {
            out.add("table options change from '" + c.options() + "' to '" + w.options() + "'");
        }
        List<String> cc = new ArrayList<>(c.constraints());
        List<String> wc = new ArrayList<>(w.constraints());
        cc.sort(null);
        wc.sort(null);
        if (!cc.equals(wc)) out.add("table constraints change");
        for (Column wantedColumn : wanted.columns()) {
            Optional<Column> currentColumn = current.column(wantedColumn.name());
            if (currentColumn.isEmpty()) continue;
            if (!currentColumn.get().definition().equals(wantedColumn.definition())) {
                out.add("column " + wantedColumn.name() + " changes from '" + currentColumn.get().definition()
                        + "' to '" + wantedColumn.definition() + "'");
            }
        }
        return out;
    }
}
