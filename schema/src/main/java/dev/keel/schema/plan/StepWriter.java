package dev.keel.schema.plan;

import static dev.keel.schema.sql.Identifiers.literal;
import static dev.keel.schema.sql.Identifiers.quote;

import dev.keel.schema.diff.Change;
import dev.keel.schema.model.Schema;
import dev.keel.schema.model.Table;
import dev.keel.schema.sql.TableDefinition;
import java.util.ArrayList;
import java.util.List;

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
        List<String> targets = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        String rowid = rowidName(old, wanted);
        if (rowid != null) {
            targets.add(rowid);
            sources.add(rowid);
        }
        for (Change.ColumnCopy copy : c.copy()) {
            targets.add(quote(copy.column()));
            sources.add(copy.expression());
        }
        if (!targets.isEmpty()) {
            out.add(new Step("INSERT INTO " + quote(temp) + " (" + String.join(", ", targets) + ")\n  SELECT "
                    + String.join(", ", sources) + " FROM " + quote(name),
                    "copy the rows of " + name + (rowid == null ? "" : ", keeping their rowids")));
        }
        if (old.autoincrement() && wanted.autoincrement()) {
            out.add(new Step("UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = "
                    + literal(name) + "), 0)) WHERE name = " + literal(temp),
                    "keep the AUTOINCREMENT counter of " + name + " so ids are never reused"));
            out.add(new Step("INSERT INTO sqlite_sequence (name, seq) SELECT " + literal(temp) + ", seq FROM sqlite_sequence WHERE name = "
                    + literal(name) + " AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = " + literal(temp) + ")",
                    "keep the AUTOINCREMENT counter of " + name + " when no row was copied"));
        }
        out.add(new Step("DROP TABLE " + quote(name), "drop the old " + name + " (foreign keys are off: nothing cascades)"));
        out.add(new Step("ALTER TABLE " + quote(temp) + " RENAME TO " + quote(name), "give the new table the name " + name));
        return out;
    }

    /** A rowid column name to copy so rowids survive, or null when the rowid is a declared column or absent. */
    private static String rowidName(Table old, Table wanted) {
        if (old.withoutRowid() || wanted.withoutRowid() || wanted.rowidAlias().isPresent()) return null;
        for (String candidate : List.of("rowid", "_rowid_", "oid")) {
            if (!old.hasColumn(candidate) && !wanted.hasColumn(candidate)) return candidate;
        }
        return null;
    }

    private String tempName(String name) {
        String base = "_keel_new_" + name;
        String temp = base;
        for (int i = 2; current.table(temp).isPresent() || current.view(temp).isPresent(); i++) temp = base + "_" + i;
        return temp;
    }
}
