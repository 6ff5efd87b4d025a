package dev.keel.schema;

import static dev.keel.schema.PlannerCasesTest.query;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random pairs of current and wanted schemas over databases with rows, wider than
 * {@link RandomEvolutionTest}'s one-table evolutions: several tables with and without rowid, STRICT,
 * generated columns in every spelling, expression defaults, renames of tables and columns, new
 * forms that share no column with the old one, drops. Every migration is either refused with a
 * {@link KeelException} of a safety rule that changed nothing, or applied keeping every row of every kept table and
 * every value of every kept column, passing integrity_check, and re-planning to nothing.
 */
class HostileMigrationTest {
    private static final String[] TYPES = {"INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC", ""};
    private static final String[] STRICT_TYPES = {"INTEGER", "TEXT", "REAL", "BLOB", "ANY"};
    private static final String[] DEFAULTS = {"", " DEFAULT 7", " NOT NULL DEFAULT 0", " DEFAULT (1 + 1)", " DEFAULT (json_array())",
        " DEFAULT CURRENT_TIMESTAMP", " DEFAULT -1"};
    private static final String[] GENERATED = {"AS (%s)", "AS (%s) VIRTUAL", "GENERATED ALWAYS AS (%s)",
        "GENERATED ALWAYS AS (%s) VIRTUAL", "AS (%s) STORED", "GENERATED ALWAYS AS (%s) STORED"};

    @TempDir
    Path dir;

    /** A column: name, type and constraints; {@code generated} holds the expression spelling, null for stored data. */
    record Col(String name, String type, String extra, String generated) {
        String def() {
            return "\"" + name + "\" " + type + (generated == null ? extra : " " + generated);
        }
    }

    /** A table as generated: its key ("id" alias, "k" WITHOUT ROWID key, or null for implicit rowid) and columns. */
    record Tab(String name, String key, boolean strict, List<Col> cols) {
        String create(List<String> annotations) {
            StringBuilder sql = new StringBuilder("CREATE TABLE \"" + name + "\" (");
            if (annotations.size() > cols.size() && !annotations.get(cols.size()).isEmpty()) {
                sql.append(" ").append(annotations.get(cols.size()));
            }
            sql.append('\n');
            List<String> lines = new ArrayList<>();
            if ("id".equals(key)) lines.add("  id INTEGER PRIMARY KEY");
            if ("k".equals(key)) lines.add("  k TEXT PRIMARY KEY");
            for (Col c : cols) lines.add("  " + c.def());
            int offset = lines.size() - cols.size();
            for (int i = 0; i < lines.size(); i++) {
                sql.append(lines.get(i)).append(i < lines.size() - 1 ? "," : "");
                int col = i - offset;
                if (col >= 0 && col < annotations.size() && !annotations.get(col).isEmpty()) sql.append(" ").append(annotations.get(col));
                sql.append('\n');
            }
            sql.append(")");
            if ("k".equals(key)) sql.append(" WITHOUT ROWID");
            if (strict) sql.append("k".equals(key) ? ", STRICT" : " STRICT");
            return sql.toString();
        }
    }

    /** What must hold after a successful migration: the table's new name, its row count, and kept columns (old name, new name). */
    record Expectation(String oldTable, String newTable, List<String[]> keptColumns) {
    }

    @Test
    void randomSchemaPairsEitherRefuseUntouchedOrKeepEveryRow() throws Exception {
        long base = Long.getLong("keel.seed", System.nanoTime());
        int applied = 0;
        int rounds = 40;
        for (int i = 0; i < rounds; i++) {
            long seed = base + i;
            try {
                if (round(new Random(seed), dir.resolve("h" + i + ".db"))) applied++;
            } catch (Throwable t) {
                throw new AssertionError("hostile migration failed; rerun with -Dkeel.seed=" + seed + ": " + t.getMessage(), t);
            }
        }
        assertThat(applied).as("migrations applied (the rest were refused) from seed " + base).isGreaterThan(rounds / 4);
    }

    /** One random pair; true when the migration was applied, false when it was refused. */
    private boolean round(Random r, Path db) throws Exception {
        List<Tab> current = new ArrayList<>();
        List<String> setup = new ArrayList<>(List.of("BEGIN"));
        int tables = 1 + r.nextInt(3);
        for (int t = 0; t < tables; t++) {
            Tab tab = randomTable(r, "t" + t, "c", 1 + r.nextInt(4));
            current.add(tab);
            setup.add(tab.create(List.of()));
            int rows = 3 + r.nextInt(10);
            for (int row = 0; row < rows; row++) setup.add(insert(r, tab, row));
            if (!"k".equals(tab.key()) && r.nextInt(4) == 0) setup.add("DELETE FROM \"" + tab.name() + "\" WHERE rowid % 3 = 0 AND rowid > 1");
        }
        setup.add("COMMIT");
        MigratorTest.exec(db, setup.toArray(String[]::new));

        boolean allowDeletions = r.nextBoolean();
        StringBuilder wanted = new StringBuilder();
        List<Expectation> expectations = new ArrayList<>();
        for (Tab tab : current) {
            int action = r.nextInt(10);
            if (action == 0) continue; // dropped
            if (action == 1 || action == 3) { // a new form sharing no column with the old one
                Tab fresh = randomTable(r, tab.name(), "n", 1 + r.nextInt(3));
                wanted.append(fresh.create(List.of())).append(";\n");
                expectations.add(new Expectation(tab.name(), tab.name(), List.of()));
                continue;
            }
            String newName = action == 2 ? tab.name() + "_renamed" : tab.name();
            List<Col> cols = new ArrayList<>();
            List<String> annotations = new ArrayList<>();
            List<String[]> kept = new ArrayList<>();
            if (tab.key() != null) kept.add(new String[]{tab.key(), tab.key()});
            for (Col c : tab.cols()) {
                int change = r.nextInt(6);
                if (change == 0) continue; // dropped column
                Col next = c;
                String annotation = "";
                if (change == 1 && c.generated() == null) {
                    next = new Col(c.name() + "_r", c.type(), c.extra(), null);
                    annotation = "--% renamed column=\"" + c.name() + "\"";
                } else if (change == 2 && c.generated() != null) {
                    next = new Col(c.name(), c.type(), "", String.format(GENERATED[r.nextInt(GENERATED.length)], expression(tab)));
                } else if (change == 3 && c.generated() == null && !tab.strict()) {
                    next = new Col(c.name(), r.nextBoolean() ? "TEXT" : "BLOB", c.extra(), null);
                } else if (change == 4 && c.generated() == null) {
                    next = new Col(c.name(), c.type(), defaultFor(r, tab), null);
                }
                cols.add(next);
                annotations.add(annotation);
                if (c.generated() == null && next.type().equals(c.type())) kept.add(new String[]{c.name(), next.name()});
            }
            int added = r.nextInt(3);
            for (int a = 0; a < added; a++) {
                int kind = r.nextInt(5);
                String type = tab.strict() ? "TEXT" : "";
                if (kind == 0) {
                    cols.add(new Col("new" + a, type, " NOT NULL", null));
                    annotations.add(r.nextBoolean() ? "--% fill='f' || 1" : "");
                } else if (kind == 1) {
                    cols.add(new Col("new" + a, "INTEGER", "", String.format(GENERATED[r.nextInt(GENERATED.length)], expression(tab))));
                    annotations.add("");
                } else {
                    cols.add(new Col("new" + a, type, defaultFor(r, tab), null));
                    annotations.add("");
                }
            }
            if (cols.stream().allMatch(c -> c.generated() != null) && tab.key() == null) {
                cols.add(new Col("plain", tab.strict() ? "TEXT" : "", "", null));
                annotations.add("");
            }
            List<String> withTable = new ArrayList<>(annotations);
            while (withTable.size() < cols.size()) withTable.add("");
            withTable.add(action == 2 ? "--% renamed table=\"" + tab.name() + "\"" : "");
            wanted.append(new Tab(newName, tab.key(), tab.strict(), cols).create(withTable)).append(";\n");
            expectations.add(new Expectation(tab.name(), newName, kept));
        }
        if (wanted.length() == 0) wanted.append("CREATE TABLE keep_one (x);\n");

        List<String> counts = new ArrayList<>();
        List<List<String>> values = new ArrayList<>();
        for (Expectation e : expectations) {
            counts.add(query(db, "SELECT count(*) FROM \"" + e.oldTable() + "\""));
            List<String> v = new ArrayList<>();
            for (String[] k : e.keptColumns()) v.add(query(db, "SELECT quote(\"" + k[0] + "\") FROM \"" + e.oldTable() + "\" ORDER BY 1"));
            values.add(v);
        }
        String before = PlannerCasesTest.dump(db);
        Migrator m = Migrator.configure().database(db).schema("schema.sql", wanted.toString()).allowDeletions(allowDeletions).load();
        try {
            m.migrate();
        } catch (KeelException refused) {
            // a safety rule or the schema file, never a plan that breaks on the data it was made for
            assertThat(refused.code()).as(refused.describe() + "\nfor\n" + wanted).isIn(ErrorCode.REFUSED, ErrorCode.BAD_INPUT);
            assertThat(PlannerCasesTest.dump(db)).as("refused (" + refused.describe() + ") yet changed:\n" + wanted).isEqualTo(before);
            return false;
        }
        assertThat(query(db, "PRAGMA integrity_check")).isEqualTo("ok");
        for (int i = 0; i < expectations.size(); i++) {
            Expectation e = expectations.get(i);
            assertThat(query(db, "SELECT count(*) FROM \"" + e.newTable() + "\"")).as("rows of " + e.newTable() + " after\n" + wanted)
                    .isEqualTo(counts.get(i));
            for (int k = 0; k < e.keptColumns().size(); k++) {
                String column = e.keptColumns().get(k)[1];
                assertThat(query(db, "SELECT quote(\"" + column + "\") FROM \"" + e.newTable() + "\" ORDER BY 1"))
                        .as("values of " + e.newTable() + "." + column + " after\n" + wanted).isEqualTo(values.get(i).get(k));
            }
        }
        assertThat(m.diff().plan().statements()).as("re-plan of\n" + wanted).isEmpty();
        return true;
    }

    private static Tab randomTable(Random r, String name, String prefix, int columns) {
        String key = switch (r.nextInt(3)) {
            case 0 -> "id";
            case 1 -> "k";
            default -> null;
        };
        boolean strict = r.nextInt(4) == 0;
        List<Col> cols = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
            String type = strict ? STRICT_TYPES[r.nextInt(STRICT_TYPES.length)] : TYPES[r.nextInt(TYPES.length)];
            String extra = !strict && r.nextInt(3) == 0 ? DEFAULTS[r.nextInt(DEFAULTS.length)] : "";
            cols.add(new Col(prefix + i + (r.nextInt(4) == 0 ? " x" : ""), type, extra, null));
        }
        Tab plain = new Tab(name, key, strict, cols);
        if (r.nextInt(3) == 0) cols.add(new Col("g", "INTEGER", "", String.format(GENERATED[r.nextInt(GENERATED.length)], expression(plain))));
        return plain;
    }

    /** A random default; none in STRICT tables, where most would not fit the column's type (a schema error, not a plan's). */
    private static String defaultFor(Random r, Tab tab) {
        return tab.strict() ? "" : DEFAULTS[r.nextInt(DEFAULTS.length)];
    }

    /** A generated column's expression over a column that exists in every version of the table. */
    private static String expression(Tab tab) {
        return tab.key() == null ? "1 + 1" : "length(CAST(" + tab.key() + " AS TEXT)) + 1";
    }

    private static String insert(Random r, Tab tab, int row) {
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        if ("id".equals(tab.key())) {
            names.add("id");
            values.add(Integer.toString(row * 3 + 1));
        }
        if ("k".equals(tab.key())) {
            names.add("k");
            values.add("'key" + row + "'");
        }
        for (Col c : tab.cols()) {
            if (c.generated() != null) continue;
            names.add("\"" + c.name() + "\"");
            values.add(value(r, c.type()));
        }
        return "INSERT INTO \"" + tab.name() + "\" (" + String.join(", ", names) + ") VALUES (" + String.join(", ", values) + ")";
    }

    private static String value(Random r, String type) {
        return switch (type) {
            case "TEXT" -> "'v" + r.nextInt(100) + "'";
            case "REAL" -> r.nextInt(100) + ".5";
            case "BLOB" -> "x'0" + r.nextInt(10) + "'";
            default -> Integer.toString(r.nextInt(1000));
        };
    }
}
