package dev.keel.schema.plan;

import dev.keel.schema.diff.Change;
import dev.keel.schema.diff.Renames;
import java.util.ArrayList;
import java.util.List;

/**
 * What a migration will do: the changes, the statements they became (each with its reason), and
 * how many leading steps only drop dependants and rename (the linter runs after those, so it sees
 * the wanted names, and before anything that moves data).
 */
public record Plan(List<Change> changes, List<Step> steps, int lintPoint, Renames renames) {
    public Plan {
        changes = List.copyOf(changes);
        steps = List.copyOf(steps);
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Everything the plan would delete; these need --allow-deletions. */
    public List<String> deletions() {
        List<String> out = new ArrayList<>();
        for (Change c : changes) out.addAll(c.deletes());
        return out;
    }

    /** One line per change saying what differs (what {@code keel check} prints). */
    public List<String> differences() {
        return changes.stream().map(Change::why).toList();
    }

    /** The statements alone, in order. */
    public List<String> statements() {
        return steps.stream().map(Step::sql).toList();
    }

    /**
     * The plan as a script a person can read (and run in the sqlite3 shell): each statement with a
     * comment saying why, wrapped the way Keel runs it.
     */
    public String toSql() {
        if (steps.isEmpty()) return "-- nothing to do: the database matches the wanted schema\n";
        StringBuilder out = new StringBuilder();
        out.append("-- foreign keys off outside the transaction so no ON DELETE action fires during rebuilds\n");
        out.append("PRAGMA foreign_keys = OFF;\nBEGIN IMMEDIATE;\n");
        for (Step s : steps) out.append('\n').append(s).append('\n');
        out.append("\n-- Keel fails the migration if this finds violations that were not there before\n");
        out.append("PRAGMA foreign_key_check;\nCOMMIT;\n");
        out.append("-- foreign keys are restored to the setting the connection had\n");
        out.append("PRAGMA foreign_keys = ON;\n");
        return out.toString();
    }

    @Override
    public String toString() {
        return toSql();
    }
}
