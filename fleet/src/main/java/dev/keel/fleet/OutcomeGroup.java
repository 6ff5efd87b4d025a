package dev.keel.fleet;

import dev.keel.core.KeelException;
import dev.keel.fleet.DatabaseOutcome.Status;
import dev.keel.schema.MigrationResult;
import dev.keel.schema.lint.LintFinding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Databases that share one cause (a refusal, a failure, the same differences or the same plan), so a
 * report of 2,000 copies of one finding is one line with a count and a few names.
 *
 * @param cause     the cause in words, with what differs per database (row counts, lock holders) left out
 * @param hint      what to do about it, or null
 * @param databases the databases it concerns, in the fleet's order
 */
public record OutcomeGroup(String cause, String hint, List<DatabaseOutcome> databases) {
    private static final Pattern ROWS = Pattern.compile("\\b\\d+( existing)? rows\\b");
    private static final Pattern HOLDERS = Pattern.compile(" \\(held by [^)]*\\)");

    public OutcomeGroup {
        databases = List.copyOf(databases);
    }

    public int size() {
        return databases.size();
    }

    /** One cause of an outcome, and the key outcomes are grouped by. */
    record Cause(String key, String text, String hint) {
    }

    /** Groups {@code outcomes} by the causes {@code causes} gives each one (an outcome can be in several groups), largest first. */
    static List<OutcomeGroup> group(List<DatabaseOutcome> outcomes, Function<DatabaseOutcome, List<Cause>> causes) {
        Map<String, Cause> first = new LinkedHashMap<>();
        Map<String, List<DatabaseOutcome>> members = new LinkedHashMap<>();
        for (DatabaseOutcome o : outcomes) {
            for (Cause c : causes.apply(o)) {
                first.putIfAbsent(c.key(), c);
                members.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(o);
            }
        }
        List<OutcomeGroup> out = new ArrayList<>();
        first.forEach((key, c) -> out.add(new OutcomeGroup(c.text(), c.hint(), members.get(key))));
        out.sort((a, b) -> Integer.compare(b.size(), a.size()));
        return out;
    }

    /** Why an outcome was refused or failed: each linter finding, the deletions, or the error itself. */
    static List<Cause> problems(DatabaseOutcome o) {
        List<Cause> out = new ArrayList<>();
        MigrationResult r = o.result();
        if (o.status() == Status.REFUSED && r != null && o.failure() == null) {
            if (!r.deletions().isEmpty()) {
                String text = "the plan deletes " + String.join(", ", r.deletions()) + "; refusing without --allow-deletions";
                out.add(new Cause("delete " + text, text, "pass --allow-deletions to delete them and their data, or keep them "
                        + "in the schema (use --% renamed annotations for renames)"));
            }
            for (LintFinding f : r.findings()) {
                String text = ROWS.matcher(f.message()).replaceAll(m -> "N" + Matcher.quoteReplacement(nullToEmpty(m.group(1))) + " rows");
                out.add(new Cause("lint " + text, text, f.hint()));
            }
        }
        if (o.failure() != null) out.add(error(o.database(), o.failure()));
        return out;
    }

    /** The differences from the wanted schema (check), as one cause. */
    static List<Cause> differences(DatabaseOutcome o) {
        if (o.status() != Status.DIFFERS) return problems(o);
        String text = String.join("\n", o.differences());
        return List.of(new Cause("differs " + text, text, null));
    }

    /** The plan's statements (diff), as one cause: databases with the same plan are listed together. */
    static List<Cause> plans(DatabaseOutcome o) {
        if (o.result() == null || o.result().upToDate()) return problems(o);
        String sql = o.result().plan().toSql();
        List<Cause> out = new ArrayList<>();
        out.add(new Cause("plan " + sql, sql, null));
        if (o.status() == Status.REFUSED) out.addAll(problems(o));
        return out;
    }

    private static Cause error(FleetDatabase db, KeelException e) {
        String message = HOLDERS.matcher(e.getMessage()).replaceAll("")
                .replace(db.path().toString(), "<database>").replace(db.name(), "<database>");
        String text = e.code().name() + ": " + message;
        return new Cause("error " + text + " " + e.hint(), message, e.hint());
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
