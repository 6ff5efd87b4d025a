package dev.keel.schema.lint;

import static dev.keel.schema.sql.Identifiers.quote;

import dev.keel.schema.diff.Change;
import dev.keel.schema.model.Column;
import dev.keel.schema.model.Index;
import dev.keel.schema.model.Table;
import dev.keel.schema.plan.Plan;
import dev.keel.schema.sql.Identifiers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a plan before it moves data and counts the rows it would break: a new NOT NULL column
 * without default or fill, NULLs in a column becoming NOT NULL, values a narrower type would alter,
 * duplicates under a new UNIQUE index. Runs after the plan's renames, so it uses the wanted names.
 */
public final class Linter {
    private final Connection connection;

    public Linter(Connection connection) {
        this.connection = connection;
    }

    public List<LintFinding> lint(Plan plan) throws SQLException {
        List<LintFinding> out = new ArrayList<>();
        for (Change change : plan.changes()) {
            if (change instanceof Change.RebuildTable r) rebuild(r, out);
            else if (change instanceof Change.CreateIndex c && !isNewTable(plan, c.index().table())
                    && !existedUnique(plan, c.index())) {
                Optional<Change.RebuildTable> rebuild = rebuildOf(plan, c.index().table());
                if (rebuild.isPresent() || columnsExist(c.index())) uniqueIndex(c.index(), rebuild.orElse(null), out);
            }
        }
        return out;
    }

    private void rebuild(Change.RebuildTable r, List<LintFinding> out) throws SQLException {
        Table wanted = r.wanted();
        Table current = r.current();
        String table = quote(wanted.name());
        for (Column w : wanted.columns()) {
            if (w.isGenerated()) continue;
            Optional<Change.ColumnCopy> copy = r.copy().stream().filter(c -> Identifiers.same(c.column(), w.name())).findFirst();
            Optional<Column> old = current.column(w.name());
            if (copy.isEmpty()) {
                if (w.notNull() && w.defaultSql() == null && !isRowidAlias(wanted, w)) {
                    long rows = count("SELECT count(*) FROM " + table);
                    if (rows > 0) {
                        out.add(new LintFinding(wanted.name(), w.name(), rows, "new column " + wanted.name() + "." + w.name()
                                + " is NOT NULL without a default and table " + wanted.name() + " has " + rows + " rows",
                                "give it a DEFAULT, or add '--% fill=EXPR' after its definition to compute it for existing rows"));
                    }
                }
                continue;
            }
            boolean plain = old.isPresent() && copy.get().expression().equals(quote(old.get().name()));
            if (!plain) continue;
            String column = quote(old.get().name());
            // NULL inserted into an INTEGER PRIMARY KEY is not kept: SQLite gives the row a new id
            boolean becomesKey = isRowidAlias(wanted, w) && !isRowidAlias(current, old.get());
            if ((w.notNull() || becomesKey) && !old.get().notNull() && !old.get().isGenerated()) {
                long rows = count("SELECT count(*) FROM " + table + " WHERE " + column + " IS NULL");
                if (rows > 0) {
                    out.add(new LintFinding(wanted.name(), w.name(), rows, "column " + wanted.name() + "." + w.name()
                            + (becomesKey ? " becomes the INTEGER PRIMARY KEY (SQLite would invent ids for NULL)"
                                    : " becomes NOT NULL") + " but " + rows + " rows hold NULL",
                            "update those rows in --pre SQL, or add '--% using=coalesce(" + w.name() + ", VALUE)'"));
                }
            }
            String condition = Affinity.of(w.declaredType(), wanted.strict())
                    .narrowedBy(Affinity.of(old.get().declaredType(), current.strict()), column);
            if (condition != null) {
                long rows = count("SELECT count(*) FROM " + table + " WHERE " + condition);
                if (rows > 0) {
                    out.add(new LintFinding(wanted.name(), w.name(), rows, "changing " + wanted.name() + "." + w.name()
                            + " from " + typeName(old.get(), current) + " to " + typeName(w, wanted) + " would alter or reject " + rows
                            + " rows whose values do not fit the new type",
                            "add '--% using=EXPR' to convert the values, or keep the type"));
                }
            }
        }
        for (Index index : wanted.indexes()) {
            if (!index.unique() || index.explicit()) continue;
            boolean existed = current.indexes().stream().anyMatch(i -> i.unique() && sameColumns(i, index));
            if (!existed) uniqueIndex(index, r, out);
        }
    }

    /** Counts rows that share a key of a new unique index (NULLs never collide). */
    private void uniqueIndex(Index index, Change.RebuildTable rebuild, List<LintFinding> out) throws SQLException {
        if (!index.unique() || index.partial() || !index.plainColumns()) return;
        List<String> keys = new ArrayList<>();
        for (String column : index.columns()) {
            if (rebuild != null) {
                Optional<Change.ColumnCopy> copy = rebuild.copy().stream().filter(c -> Identifiers.same(c.column(), column)).findFirst();
                if (copy.isEmpty()) return;
                keys.add("(" + copy.get().expression() + ")");
            } else {
                keys.add(quote(column));
            }
        }
        String group = String.join(", ", keys);
        String notNull = String.join(" AND ", keys.stream().map(k -> k + " IS NOT NULL").toList());
        long rows = count("SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM " + quote(index.table())
                + " WHERE " + notNull + " GROUP BY " + group + " HAVING count(*) > 1)");
        if (rows > 0) {
            String what = String.join(", ", index.columns());
            out.add(new LintFinding(index.table(), what, rows, "new UNIQUE " + (index.explicit() ? "index " + index.name() : "constraint")
                    + " on " + index.table() + "(" + what + ") is violated by " + rows + " existing rows",
                    "remove or fix the duplicates (for example in --pre SQL) before migrating"));
        }
    }

    private static boolean sameColumns(Index a, Index b) {
        if (a.columns().size() != b.columns().size()) return false;
        for (int i = 0; i < a.columns().size(); i++) {
            String x = a.columns().get(i);
            String y = b.columns().get(i);
            if (x == null || y == null || !Identifiers.same(x, y)) return false;
        }
        return true;
    }

    /** True when the same unique index existed before (dropped only to be created again): nothing new to check. */
    private static boolean existedUnique(Plan plan, Index index) {
        for (Change c : plan.changes()) {
            List<Index> before = c instanceof Change.RebuildTable r ? r.current().indexes()
                    : c instanceof Change.DropIndex d ? List.of(d.index()) : List.of();
            for (Index i : before) {
                if (Identifiers.same(i.name(), index.name()) && i.unique() && i.partial() == index.partial()
                        && sameColumns(i, index)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Optional<Change.RebuildTable> rebuildOf(Plan plan, String table) {
        return plan.changes().stream().filter(c -> c instanceof Change.RebuildTable r && Identifiers.same(r.wanted().name(), table))
                .map(c -> (Change.RebuildTable) c).findFirst();
    }

    /** False when a key column is only added later in the plan: there are no values to compare yet. */
    private boolean columnsExist(Index index) throws SQLException {
        for (String column : index.columns()) {
            if (column == null) return false;
            try (java.sql.PreparedStatement ps = connection.prepareStatement(
                    "SELECT count(*) FROM pragma_table_xinfo(?) WHERE name = ? COLLATE NOCASE")) {
                ps.setString(1, index.table());
                ps.setString(2, column);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) == 0) return false;
                }
            }
        }
        return true;
    }

    private static boolean isNewTable(Plan plan, String table) {
        return plan.changes().stream().anyMatch(c -> c instanceof Change.CreateTable t && Identifiers.same(t.table().name(), table));
    }

    private static String typeName(Column c, Table table) {
        String type = c.declaredType() == null || c.declaredType().isBlank() ? "(no type)" : c.declaredType();
        return table.strict() ? type + " (STRICT)" : type;
    }

    private static boolean isRowidAlias(Table table, Column column) {
        return table.rowidAlias().map(a -> Identifiers.same(a.name(), column.name())).orElse(false);
    }

    private long count(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
