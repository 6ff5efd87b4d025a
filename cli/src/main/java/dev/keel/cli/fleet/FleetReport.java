package dev.keel.cli.fleet;

import dev.keel.cli.OutputOptions;
import dev.keel.fleet.DatabaseOutcome;
import dev.keel.fleet.DatabaseOutcome.Status;
import dev.keel.fleet.FleetResult;
import dev.keel.fleet.OutcomeGroup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Turns a {@link FleetResult} into the text and JSON the fleet commands print. */
final class FleetReport {
    /** How many names a group shows before "and N more". */
    private static final int NAMES = 3;

    private final OutputOptions output;
    private final PrintWriter out;

    FleetReport(OutputOptions output, PrintWriter out) {
        this.output = output;
        this.out = out;
    }

    /** Prints the result (text or JSON) and returns the exit status. */
    int print(FleetResult r, List<Path> ignored, String schema) {
        if (output.json()) {
            output.printJson(out, json(r, ignored));
        } else {
            for (Path p : ignored) out.println("ignored   " + p + ": not a SQLite database");
            switch (r.operation()) {
                case MIGRATE -> migrate(r);
                case CHECK -> check(r, schema);
                case DIFF -> diff(r);
            }
            out.println(totals(r));
            if (r.stopReason() != null) out.println("stopped: " + r.stopReason());
        }
        out.flush();
        return r.exitStatus();
    }

    private void migrate(FleetResult r) {
        if (r.refused()) {
            long refused = r.databases().stream().filter(d -> d.status() == Status.REFUSED || d.status() == Status.FAILED).count();
            out.printf("refused: planning found problems in %d of %d databases; nothing was changed%n", refused, r.databases().size());
            groups(r.problems());
            return;
        }
        for (DatabaseOutcome d : r.databases()) {
            switch (d.status()) {
                case MIGRATED -> out.printf("%-9s %s (%s%d statements, %d ms)%n", r.dryRun() ? "rehearsed" : "migrated", name(d),
                        d.canary() ? "canary, " : "", d.statements(), d.millis());
                case FAILED, BUSY, REFUSED -> failure(d);
                default -> {
                }
            }
        }
    }

    private void check(FleetResult r, String schema) {
        long differ = r.count(Status.DIFFERS);
        out.printf("%d of %d databases differ from %s%n", differ, r.databases().size(), schema);
        groups(r.differences());
    }

    private void diff(FleetResult r) {
        for (OutcomeGroup g : r.plans()) {
            boolean plan = g.databases().get(0).result() != null && g.cause().startsWith("--");
            if (plan) {
                out.println("-- " + names(g));
                out.println(g.cause());
            } else {
                group(g);
            }
        }
    }

    private void failure(DatabaseOutcome d) {
        out.printf("%-9s %s: %s%n", d.status().label(), name(d), output.redact(d.failure().getMessage()));
        if (d.failure().hint() != null) out.println("          hint: " + output.redact(d.failure().hint()));
    }

    private void groups(List<OutcomeGroup> groups) {
        for (OutcomeGroup g : groups) group(g);
    }

    private void group(OutcomeGroup g) {
        out.println("  " + names(g) + ":");
        for (String line : g.cause().split("\n")) out.println("    " + output.redact(line));
        if (g.hint() != null) out.println("    hint: " + output.redact(g.hint()));
    }

    /** "12 databases: a.db, b.db, c.db and 9 more", or the one name. */
    static String names(OutcomeGroup g) {
        List<String> shown = g.databases().stream().limit(NAMES).map(d -> d.database().name()).toList();
        String list = String.join(", ", shown) + (g.size() > NAMES ? " and " + (g.size() - NAMES) + " more" : "");
        return g.size() == 1 ? "1 database: " + list : g.size() + " databases: " + list;
    }

    private static String name(DatabaseOutcome d) {
        return d.database().name();
    }

    static String totals(FleetResult r) {
        Map<Status, Long> counts = r.databases().stream().collect(Collectors.groupingBy(DatabaseOutcome::status, Collectors.counting()));
        String parts = counts.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getValue() + " " + e.getKey().label()).collect(Collectors.joining(", "));
        return String.format("%d databases in %.1f s%s", r.databases().size(), r.elapsed().toMillis() / 1000.0,
                parts.isEmpty() ? "" : ": " + parts);
    }

    private static Map<String, Object> json(FleetResult r, List<Path> ignored) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("operation", r.operation().name().toLowerCase(java.util.Locale.ROOT));
        List<Map<String, Object>> dbs = new ArrayList<>();
        for (DatabaseOutcome d : r.databases()) dbs.add(json(d));
        m.put("databases", dbs);
        Map<String, Long> totals = new LinkedHashMap<>();
        for (Status s : Status.values()) totals.put(s.label(), r.count(s));
        m.put("totals", totals);
        m.put("refused", r.refused());
        m.put("dryRun", r.dryRun());
        if (r.stopReason() != null) m.put("stopReason", r.stopReason());
        m.put("ignored", ignored.stream().map(Path::toString).toList());
        List<OutcomeGroup> groups = switch (r.operation()) {
            case MIGRATE -> r.problems();
            case CHECK -> r.differences();
            case DIFF -> r.plans();
        };
        List<Map<String, Object>> g = new ArrayList<>();
        for (OutcomeGroup group : groups) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("cause", group.cause());
            if (group.hint() != null) one.put("hint", group.hint());
            one.put("count", group.size());
            one.put("databases", group.databases().stream().map(d -> d.database().name()).toList());
            g.add(one);
        }
        m.put("groups", g);
        m.put("elapsedSeconds", r.elapsed().toMillis() / 1000.0);
        m.put("exitStatus", r.exitStatus());
        return m;
    }

    private static Map<String, Object> json(DatabaseOutcome d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", d.database().path().toString());
        m.put("name", d.database().name());
        m.put("status", d.status().label());
        m.put("canary", d.canary());
        m.put("statements", d.statements());
        m.put("ms", d.millis());
        if (!d.differences().isEmpty()) m.put("differences", d.differences());
        if (d.result() != null && !d.result().deletions().isEmpty()) m.put("deletions", d.result().deletions());
        if (d.result() != null && !d.result().findings().isEmpty()) {
            m.put("findings", d.result().findings().stream().map(f -> Map.of("message", f.message(), "hint", f.hint())).toList());
        }
        if (d.failure() != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", d.failure().code().name());
            e.put("exitStatus", d.failure().code().exitStatus());
            e.put("message", d.failure().getMessage());
            if (d.failure().subject() != null) e.put("subject", d.failure().subject());
            if (d.failure().hint() != null) e.put("hint", d.failure().hint());
            m.put("error", e);
        }
        if (d.note() != null) m.put("note", d.note());
        return m;
    }
}
