package dev.keel.schema.diff;

import dev.keel.schema.model.Column;
import dev.keel.schema.model.Index;
import dev.keel.schema.model.Table;
import dev.keel.schema.model.Trigger;
import dev.keel.schema.model.View;
import java.util.List;

/**
 * One difference between the live database and the wanted schema, as a closed set of types the
 * planner turns into statements and the linter inspects before anything runs.
 */
public sealed interface Change {

    /** Why this change is needed, in words a user reads in the plan. */
    String why();

    /** What this change deletes (for the --allow-deletions refusal), or an empty list. */
    default List<String> deletes() {
        return List.of();
    }

    /** A table that exists only in the wanted schema. */
    record CreateTable(Table table) implements Change {
        public String why() {
            return "table " + table.name() + " is new";
        }
    }

    /** A table that is not in the wanted schema (or a virtual table whose definition changed). */
    record DropTable(Table table, String why) implements Change {
        public List<String> deletes() {
            return List.of("table " + table.name());
        }
    }

    /** {@code --% renamed table=from}. */
    record RenameTable(String from, String to) implements Change {
        public String why() {
            return "table " + from + " is renamed to " + to + " (--% renamed table=" + from + ")";
        }
    }

    /** {@code --% renamed column=from}. */
    record RenameColumn(String table, String from, String to) implements Change {
        public String why() {
            return "column " + table + "." + from + " is renamed to " + to + " (--% renamed column=" + from + ")";
        }
    }

    /** A new column SQLite can add in place; {@code fill} (may be null) sets it on existing rows. */
    record AddColumn(String table, Column column, String fill) implements Change {
        public String why() {
            return "column " + table + "." + column.name() + " is new" + (fill == null ? "" : ", filled with " + fill);
        }
    }

    /** A column that is not in the wanted schema and that SQLite can drop in place. */
    record DropColumn(String table, Column column) implements Change {
        public String why() {
            return "column " + table + "." + column.name() + " is not in the wanted schema";
        }

        public List<String> deletes() {
            return List.of("column " + table + "." + column.name());
        }
    }

    /** How one column of a rebuilt table gets its values: an expression over the old table's row. */
    record ColumnCopy(String column, String expression) {
    }

    /**
     * A table ALTER TABLE cannot change: rebuilt by SQLite's 12-step procedure from the wanted
     * definition, copying rows with {@code copy}; {@code dropped} are old columns not carried over.
     */
    record RebuildTable(Table current, Table wanted, List<ColumnCopy> copy, List<Column> dropped,
                        List<String> reasons) implements Change {
        public RebuildTable {
            copy = List.copyOf(copy);
            dropped = List.copyOf(dropped);
            reasons = List.copyOf(reasons);
        }

        public String why() {
            return "table " + wanted.name() + " is rebuilt: " + String.join("; ", reasons);
        }

        public List<String> deletes() {
            return dropped.stream().map(c -> "column " + wanted.name() + "." + c.name()).toList();
        }
    }

    /** An index to create (new, changed, or recreated after its table was rebuilt). */
    record CreateIndex(Index index, String why) implements Change {
    }

    /** An index to drop; {@code deletion} is false when it is dropped only to be created again. */
    record DropIndex(Index index, boolean deletion, String why) implements Change {
        public List<String> deletes() {
            return deletion ? List.of("index " + index.name()) : List.of();
        }
    }

    /** A view to create. */
    record CreateView(View view, String why) implements Change {
    }

    /** A view to drop; {@code deletion} is false when it is created again later in the plan. */
    record DropView(View view, boolean deletion, String why) implements Change {
        public List<String> deletes() {
            return deletion ? List.of("view " + view.name()) : List.of();
        }
    }

    /** A trigger to create. */
    record CreateTrigger(Trigger trigger, String why) implements Change {
    }

    /** A trigger to drop; {@code deletion} is false when it is created again later in the plan. */
    record DropTrigger(Trigger trigger, boolean deletion, String why) implements Change {
        public List<String> deletes() {
            return deletion ? List.of("trigger " + trigger.name()) : List.of();
        }
    }
}
