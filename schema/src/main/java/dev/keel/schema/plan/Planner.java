package dev.keel.schema.plan;

import dev.keel.schema.diff.Change;
import dev.keel.schema.diff.Differ;
import dev.keel.schema.model.Schema;
import dev.keel.schema.source.WantedSchema;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Turns the differences between a live schema and a wanted one into a {@link Plan} of statements. */
public final class Planner {
    private Planner() {
    }

    public static Plan plan(Schema current, WantedSchema wanted) throws SQLException {
        Differ.Result diff = Differ.diff(current, wanted);
        List<Step> steps = new ArrayList<>();
        int lintPoint = -1;
        StepWriter writer = new StepWriter(current);
        for (Change change : diff.changes()) {
            if (lintPoint < 0 && !isPreparatory(change)) lintPoint = steps.size();
            steps.addAll(writer.steps(change));
        }
        return new Plan(diff.changes(), steps, lintPoint < 0 ? steps.size() : lintPoint, diff.renames());
    }

    /** Changes that only drop dependants, drop tables or rename: safe to run before the linter looks. */
    private static boolean isPreparatory(Change c) {
        return c instanceof Change.DropTrigger || c instanceof Change.DropView || c instanceof Change.DropIndex
                || c instanceof Change.DropTable || c instanceof Change.RenameTable || c instanceof Change.RenameColumn;
    }
}
