package dev.keel.cli.schema;

import dev.keel.schema.MigrationResult;
import dev.keel.schema.lint.LintFinding;
import dev.keel.schema.plan.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns migration results into the text and JSON the schema commands print. */
final class SchemaRenderer {
    private SchemaRenderer() {
    }

    static Map<String, Object> json(MigrationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", r.database());
        m.put("upToDate", r.upToDate());
        m.put("applied", r.applied());
        m.put("dryRun", r.dryRun());
        m.put("millis", r.millis());
        m.put("differences", r.plan().differences());
        List<Map<String, String>> steps = new ArrayList<>();
        for (Step s : r.plan().steps()) {
            Map<String, String> step = new LinkedHashMap<>();
            step.put("sql", s.sql());
            step.put("why", s.why());
            steps.add(step);
        }
        m.put("steps", steps);
        m.put("deletions", r.deletions());
        List<Map<String, Object>> findings = new ArrayList<>();
        for (LintFinding f : r.findings()) {
            Map<String, Object> finding = new LinkedHashMap<>();
            finding.put("table", f.table());
            finding.put("column", f.column());
            finding.put("rows", f.rows());
            finding.put("message", f.message());
            finding.put("hint", f.hint());
            findings.add(finding);
        }
        m.put("findings", findings);
        return m;
    }

    /** One line per difference, indented, for migrate and check. */
    static String differences(MigrationResult r) {
        StringBuilder out = new StringBuilder();
        for (String d : r.plan().differences()) out.append("  - ").append(d).append('\n');
        return out.toString();
    }

    /** The plan as SQL, followed by what would stop it (deletions, linter findings) as comments. */
    static String plan(MigrationResult r) {
        StringBuilder out = new StringBuilder(r.plan().toSql());
        if (!r.deletions().isEmpty()) {
            out.append("\n-- deletes ").append(String.join(", ", r.deletions()))
                    .append(": keel migrate refuses this without --allow-deletions\n");
        }
        for (LintFinding f : r.findings()) {
            out.append("-- error: ").append(f.message()).append("\n--   hint: ").append(f.hint()).append('\n');
        }
        return out.toString();
    }
}
