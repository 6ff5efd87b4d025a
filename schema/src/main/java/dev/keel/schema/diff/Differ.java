package dev.keel.schema.diff;

import dev.keel.schema.inspect.Inspector;
import dev.keel.schema.model.Index;
import dev.keel.schema.model.Schema;
import dev.keel.schema.model.Table;
import dev.keel.schema.model.Trigger;
import dev.keel.schema.model.View;
import dev.keel.schema.source.WantedSchema;
import dev.keel.schema.sql.Identifiers;
import dev.keel.schema.sql.SqlToken;
import dev.keel.schema.sql.SqlTokenizer;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Compares the live schema with the wanted one and lists the changes in the order they must run:
 * drop triggers, views and indexes; drop tables; rename tables; change or rebuild tables; create
 * tables, indexes, views and triggers. Views and triggers that mention a changed table are dropped
 * and created again from the wanted text, so SQLite never has to rewrite or validate them mid-plan.
 */
public final class Differ {

    /** The changes and the renames they were resolved with (the linter needs both). */
    public record Result(List<Change> changes, Renames renames) {
        public Result {
            changes = List.copyOf(changes);
        }
    }

    private Differ() {
    }

    public static Result diff(Schema current, WantedSchema wanted) throws SQLException {
        Schema want = wanted.schema();
        Renames renames = Renames.resolve(current, want, wanted.annotations());
        Set<String> sources = new HashSet<>();
        for (Table w : want.tables()) {
            String source = renames.currentTable(w.name());
            if (current.table(source).isPresent()) sources.add(Identifiers.key(source));
        }
        List<Change> dropTables = new ArrayList<>();
        Set<String> changedTables = new HashSet<>();
        for (Table c : current.tables()) {
            if (!sources.contains(Identifiers.key(c.name()))) {
                dropTables.add(new Change.DropTable(c, "table " + c.name() + " is not in the wanted schema"));
                changedTables.add(Identifiers.key(c.name()));
            }
        }
        List<Change> renameTables = new ArrayList<>();
        List<Change> tableChanges = new ArrayList<>();
        List<Change> createTables = new ArrayList<>();
        List<Change> dropIndexes = new ArrayList<>();
        List<Change> createIndexes = new ArrayList<>();
        try (Scratch scratch = Scratch.of(current)) {
            for (Change d : dropTables) scratch.tryRun("DROP TABLE " + Identifiers.quote(((Change.DropTable) d).table().name()));
            for (Renames.Rename r : renames.tables()) {
                scratch.run("ALTER TABLE " + Identifiers.quote(r.from()) + " RENAME TO " + Identifiers.quote(r.to()));
                renameTables.add(new Change.RenameTable(r.from(), r.to()));
                changedTables.add(Identifiers.key(r.from()));
                changedTables.add(Identifiers.key(r.to()));
            }
            for (Table w : want.tables()) {
                for (Renames.Rename r : renames.columnsOf(w.name())) {
                    scratch.run("ALTER TABLE " + Identifiers.quote(w.name()) + " RENAME COLUMN "
                            + Identifiers.quote(r.from()) + " TO " + Identifiers.quote(r.to()));
                    tableChanges.add(new Change.RenameColumn(w.name(), r.from(), r.to()));
                    changedTables.add(Identifiers.key(w.name()));
                }
            }
            Schema renamed = scratch.inspect();
            TableDiffer tables = new TableDiffer(scratch, wanted.annotations());
            for (Table w : want.tables()) {
                Optional<Table> c = renamed.table(w.name());
                if (c.isEmpty()) {
                    createTables.add(new Change.CreateTable(w));
                    w.explicitIndexes().forEach(i -> createIndexes.add(new Change.CreateIndex(i, "index " + i.name() + " of new table " + w.name())));
                    continue;
                }
                if (c.get().virtual() || w.virtual()) {
                    if (!TableDiffer.differences(c.get(), w).isEmpty()) {
                        dropTables.add(new Change.DropTable(c.get(), "virtual table " + w.name() + " changes; it is dropped and created again"));
                        createTables.add(new Change.CreateTable(w));
                        changedTables.add(Identifiers.key(w.name()));
                    }
                    continue;
                }
                diffIndexes(scratch, c.get(), w, dropIndexes, createIndexes, false);
                List<Change> changes = tables.diff(c.get(), w);
                if (!changes.isEmpty()) {
                    changedTables.add(Identifiers.key(w.name()));
                    changedTables.add(Identifiers.key(renames.currentTable(w.name())));
                }
                tableChanges.addAll(changes);
                if (changes.stream().anyMatch(ch -> ch instanceof Change.RebuildTable)) {
                    diffIndexes(scratch, c.get(), w, dropIndexes, createIndexes, true);
                }
            }
        }
        List<Change> out = new ArrayList<>();
        List<Change> createViews = new ArrayList<>();
        List<Change> createTriggers = new ArrayList<>();
        List<Change> dropViews = new ArrayList<>();
        Set<String> affected = views(current, want, changedTables, dropViews, createViews);
        triggers(current, want, affected, out, createTriggers);
        out.addAll(dropViews);
        out.addAll(dropIndexes);
        out.addAll(dropTables);
        out.addAll(renameTables);
        out.addAll(tableChanges);
        out.addAll(createTables);
        out.addAll(createIndexes);
        out.addAll(createViews);
        out.addAll(createTriggers);
        return new Result(out, renames);
    }

    /**
     * Index changes of a table present on both sides. With {@code rebuilt}, every wanted index is
     * created again (the rebuild drops them with the old table).
     */
    private static void diffIndexes(Scratch scratch, Table current, Table wanted, List<Change> drops,
                                       List<Change> creates, boolean rebuilt) throws SQLException {
        for (Index c : current.explicitIndexes()) {
            Optional<Index> w = wanted.explicitIndexes().stream().filter(i -> Identifiers.same(i.name(), c.name())).findFirst();
            if (w.isEmpty()) {
                if (!rebuilt) {
                    drops.add(new Change.DropIndex(c, true, "index " + c.name() + " is not in the wanted schema"));
                    scratch.tryRun("DROP INDEX " + Identifiers.quote(c.name()));
                }
            } else if (!same(c.sql(), w.get().sql())) {
                if (!rebuilt) {
                    drops.add(new Change.DropIndex(c, false, "index " + c.name() + " changes; it is dropped and created again"));
                    scratch.tryRun("DROP INDEX " + Identifiers.quote(c.name()));
                    creates.add(new Change.CreateIndex(w.get(), "index " + c.name() + " changes"));
                }
            } else if (rebuilt) {
                creates.add(new Change.CreateIndex(w.get(), "index " + c.name() + " is created again after the rebuild of " + wanted.name()));
            }
        }
        if (!rebuilt) {
            for (Index w : wanted.explicitIndexes()) {
                if (current.explicitIndexes().stream().noneMatch(i -> Identifiers.same(i.name(), w.name()))) {
                    creates.add(new Change.CreateIndex(w, "index " + w.name() + " is new"));
                }
            }
        }
    }

    private static Set<String> views(Schema current, Schema want, Set<String> changedTables, List<Change> drops,
                                     List<Change> creates) {
        Set<String> affected = new HashSet<>(changedTables);
        Set<String> kept = new HashSet<>();
        boolean grew = true;
        // a view is affected when it mentions a changed table or an affected view (transitively)
        Set<String> droppedViews = new HashSet<>();
        while (grew) {
            grew = false;
            for (View v : current.views()) {
                String key = Identifiers.key(v.name());
                if (droppedViews.contains(key)) continue;
                Optional<View> w = want.view(v.name());
                if (w.isEmpty() || !same(v.sql(), w.get().sql()) || mentions(v.sql(), affected)) {
                    droppedViews.add(key);
                    affected.add(key);
                    grew = true;
                }
            }
        }
        List<View> reversed = new ArrayList<>(current.views());
        java.util.Collections.reverse(reversed);
        for (View v : reversed) {
            String key = Identifiers.key(v.name());
            if (!droppedViews.contains(key)) {
                kept.add(key);
                continue;
            }
            Optional<View> w = want.view(v.name());
            String reason = w.isEmpty() ? "view " + v.name() + " is not in the wanted schema"
                    : !same(v.sql(), w.get().sql()) ? "view " + v.name() + " changes; it is dropped and created again"
                    : "view " + v.name() + " depends on a changed table; it is dropped and created again";
            drops.add(new Change.DropView(v, w.isEmpty(), reason));
        }
        for (View w : want.views()) {
            String key = Identifiers.key(w.name());
            if (kept.contains(key)) continue;
            creates.add(new Change.CreateView(w, droppedViews.contains(key) ? "view " + w.name() + " is created again" : "view " + w.name() + " is new"));
        }
        Set<String> affectedOut = new HashSet<>(changedTables);
        affectedOut.addAll(droppedViews);
        return affectedOut;
    }

    private static void triggers(Schema current, Schema want, Set<String> affected, List<Change> drops, List<Change> creates) {
        Set<String> kept = new HashSet<>();
        for (Trigger t : current.triggers()) {
            Optional<Trigger> w = want.trigger(t.name());
            boolean touched = affected.contains(Identifiers.key(t.table())) || mentions(t.sql(), affected);
            if (w.isPresent() && same(t.sql(), w.get().sql()) && !touched) {
                kept.add(Identifiers.key(t.name()));
                continue;
            }
            String reason = w.isEmpty() ? "trigger " + t.name() + " is not in the wanted schema"
                    : !same(t.sql(), w.get().sql()) ? "trigger " + t.name() + " changes; it is dropped and created again"
                    : "trigger " + t.name() + " depends on a changed table; it is dropped and created again";
            drops.add(new Change.DropTrigger(t, w.isEmpty(), reason));
        }
        for (Trigger w : want.triggers()) {
            if (kept.contains(Identifiers.key(w.name()))) continue;
            boolean existed = current.trigger(w.name()).isPresent();
            creates.add(new Change.CreateTrigger(w, "trigger " + w.name() + (existed ? " is created again" : " is new")));
        }
    }

    /** True when {@code sql} names any of {@code keys} (compared as identifiers). */
    static boolean mentions(String sql, Set<String> keys) {
        if (keys.isEmpty()) return false;
        for (SqlToken t : SqlTokenizer.tokenize(sql)) {
            if ((t.kind() == SqlToken.Kind.WORD || t.kind() == SqlToken.Kind.QUOTED_IDENTIFIER || t.kind() == SqlToken.Kind.STRING)
                    && keys.contains(Identifiers.key(t.name()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean same(String a, String b) {
        return Inspector.normalized(a).equals(Inspector.normalized(b));
    }
}
