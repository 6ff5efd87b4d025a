package dev.keel.schema.plan;

import static dev.keel.schema.sql.Identifiers.literal;
import static dev.keel.schema.sql.Identifiers.quote;

import dev.keel.schema.diff.Change;
import dev.keel.schema.model.Column;
import dev.keel.schema.model.Schema;
import dev.keel.schema.model.Table;
import dev.keel.schema.sql.Identifiers;
import dev.keel.schema.sql.TableDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Writes the SQL statements of each change; the rebuild follows SQLite's 12-step procedure. */
final class StepWriter {
    private final Schema current;

    StepWriter(Schema current) {
        this.current = current;
    }

    List<Step> steps(Change change) {
        if (change instanceof Change.CreateTable c) return one(c.table().sql(), c);
        if (change instanceof Change.DropTable c) return one("DROP TABLE " + quote(c.table().name()), c);
        if (change instanceof Change.RenameTable c) return one("ALTER TABLE " + quote(c.from()) + " RENAME TO " + quote(c.to()), c);
        if (change instanceof Change.RenameColumn c) {
            return one("ALTER TABLE " + quote(c.table()) + " RENAME COLUMN " + quote(c.from()) + " TO " + quote(c.to()), c);
        }
        if (change instanceof Change.DropColumn c) {
            return one("ALTER TABLE " + quote(c.table()) + " DROP COLUMN " + quote(c.column().name()), c);
        }
        if (change instanceof Change.AddColumn c) return addColumn(c);
        if (change instanceof Change.RebuildTable c) return rebuild(c);
        if (change instanceof Change.CreateIndex c) return one(c.index().sql(), c);
        if (change instanceof Change.DropIndex c) return one("DROP INDEX " + quote(c.index().name()), c);
        if (change instanceof Change.CreateView c) return one(c.view().sql(), c);
        if (change instanceof Change.DropView c) return one("DROP VIEW " + quote(c.view().name()), c);
        if (change instanceof Change.CreateTrigger c) return one(c.trigger().sql(), c);
        if (change instanceof Change.DropTrigger c) return one("DROP TRIGGER " + quote(c.trigger().name()), c);
        throw new IllegalArgumentException("unknown change " + change);
    }

    private static List<Step> one(String sql, Change change) {
        return List.of(new Step(sql, change.why()));
    }

    private List<Step> addColumn(Change.AddColumn c) {
        List<Step> out = new ArrayList<>();
        out.add(new Step("ALTER TABLE " + quote(c.table()) + " ADD COLUMN " + c.column().text(), c.why()));
        if (c.fill() != null) {
            out.add(new Step("UPDATE " + quote(c.table()) + " SET " + quote(c.column().name()) + " = (" + c.fill() + ")",
                    "fill " + c.table() + "." + c.column().name() + " on existing rows (--% fill)"));
        }
        return out;
    }

    private List<Step> rebuild(Change.RebuildTable c) {
        Table wanted = c.wanted();
        Table old = c.current();
        String name = wanted.name();
        String temp = tempName(name);
        TableDefinition definition = wanted.definition().orElseThrow(
                () -> new IllegalStateException("no CREATE TABLE definition for " + name));
        List<Step> out = new ArrayList<>();
        out.add(new Step(definition.withName(temp), c.why() + " (12-step rebuild: create the new table)"));
        out.add(copyRows(c, temp));
        if (old.autoincrement() && wanted.autoincrement()) {
            out.add(new Step("UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = "
                    + literal(name) + "), 0)) WHERE name = " + literal(temp),
                    "keep the AUTOINCREMENT counter of " + name + " so ids are never reused"));
            out.add(new Step("INSERT INTO sqlite_sequence (name, seq) SELECT " + literal(temp) + ", seq FROM sqlite_sequence WHERE name = "
                    + literal(name) + " AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = " + literal(temp) + ")",
                    "keep the AUTOINCREMENT counter of " + name + " when no row was copied"));
        }
        out.add(new Step("SELECT (SELECT count(*) FROM " + quote(name) + "), (SELECT count(*) FROM " + quote(temp) + ")",
                "verify that the new " + name + " holds every row of the old one (Keel stops and rolls back otherwise)",
                new Step.RowCountCheck(name)));
        out.add(new Step("DROP TABLE " + quote(name), "drop the old " + name + " (foreign keys are off: nothing cascades)"));
        out.add(new Step("ALTER TABLE " + quote(temp) + " RENAME TO " + quote(name), "give the new table the name " + name));
        return out;
    }

    /**
     * Copies every row: the wanted columns that get a value from the old row, plus the rowid when
     * both tables have one (into the new INTEGER PRIMARY KEY when the copy does not set it). With
     * nothing to copy, one column still gets its default, so no row is lost.
     */
    private static Step copyRows(Change.RebuildTable c, String temp) {
        Table old = c.current();
        Table wanted = c.wanted();
        List<String> targets = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        String oldRowid = rowidName(old);
        Optional<Column> alias = wanted.rowidAlias();
        String newRowid = alias.isEmpty() ? rowidName(wanted) : copies(c, alias.get().name()) ? null : quote(alias.get().name());
        boolean keepRowid = oldRowid != null && newRowid != null;
        if (keepRowid) {
            targets.add(newRowid);
            sources.add(oldRowid);
        }
        for (Change.ColumnCopy copy : c.copy()) {
            targets.add(quote(copy.column()));
            sources.add(copy.expression());
        }
        if (targets.isEmpty()) {
            Column filler = filler(wanted);
            targets.add(quote(filler.name()));
            sources.add(DefaultValue.expression(filler));
        }
        return new Step("INSERT INTO " + quote(temp) + " (" + String.join(", ", targets) + ")\n  SELECT "
                + String.join(", ", sources) + " FROM " + quote(old.name()),
                "copy the rows of " + wanted.name() + (keepRowid ? ", keeping their rowids" : ""));
    }

    private static boolean copies(Change.RebuildTable c, String column) {
        return c.copy().stream().anyMatch(k -> Identifiers.same(k.column(), column));
    }

    /** A column to insert when no column is copied: preferably one whose value would be NULL anyway. */
    private static Column filler(Table wanted) {
        List<Column> stored = wanted.columns().stream().filter(col -> !col.isGenerated()).toList();
        return stored.stream().filter(col -> col.defaultSql() == null && !col.notNull()).findFirst()
                .or(() -> stored.stream().filter(col -> col.defaultSql() != null).findFirst())
                .orElse(stored.get(0));
    }

    /** A name that reads the rowid of {@code table} (not shadowed by a column), or null when it has none. */
    private static String rowidName(Table table) {
        if (table.withoutRowid()) return null;
        for (String candidate : List.of("rowid", "_rowid_", "oid")) {
            if (!table.hasColumn(candidate)) return candidate;
        }
        return table.rowidAlias().map(a -> quote(a.name())).orElse(null);
    }

    private String tempName(String name) {
        String base = "_keel_new_" + name;
        String temp = base;
        for (int i = 2; taken(temp); i++) temp = base + "_" + i;
        return temp;
    }

    private boolean taken(String name) {
        return current.table(name).isPresent() || current.view(name).isPresent()
                || current.replicationTables().stream().anyMatch(t -> Identifiers.same(t, name));
    }
}
