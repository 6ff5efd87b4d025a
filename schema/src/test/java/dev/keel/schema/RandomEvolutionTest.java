package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random schema evolutions of one table with data: after migrating, re-planning is empty,
 * every row is still there with its id, and kept or renamed columns keep their values.
 */
class RandomEvolutionTest {
    private static final String[] TYPES = {"INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC", ""};

    @TempDir
    Path dir;

    record Col(String name, String type, String extra) {
        String def() {
            return "\"" + name + "\" " + type + extra;
        }
    }

    @Test
    void randomEvolutionsKeepDataAndConverge() throws Exception {
        long base = Long.getLong("keel.seed", System.nanoTime());
        for (int i = 0; i < 25; i++) {
            long seed = base + i;
            try {
                evolve(new Random(seed), dir.resolve("r" + i + ".db"));
            } catch (Throwable t) {
                throw new AssertionError("random evolution failed; rerun with -Dkeel.seed=" + seed + ": " + t.getMessage(), t);
            }
        }
    }

    private void evolve(Random r, Path db) throws Exception {
        boolean autoinc = r.nextBoolean();
        List<Col> cols = new ArrayList<>();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            String extra = r.nextInt(4) == 0 ? " NOT NULL DEFAULT 0" : "";
            cols.add(new Col("c" + i + (r.nextBoolean() ? " x" : ""), TYPES[r.nextInt(TYPES.length)], extra));
        }
        String table = r.nextBoolean() ? "t" : "select";
        List<String> sql = new ArrayList<>();
        sql.add("CREATE TABLE \"" + table + "\" (id INTEGER PRIMARY KEY" + (autoinc ? " AUTOINCREMENT" : "") + ", "
                + String.join(", ", cols.stream().map(Col::def).toList()) + ")");
        for (int row = 1; row <= 20; row++) {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < cols.size(); i++) values.add(Integer.toString(r.nextInt(1000)));
            sql.add("INSERT INTO \"" + table + "\" VALUES (" + row + ", " + String.join(", ", values) + ")");
        }
        if (r.nextBoolean()) sql.add("CREATE INDEX idx_" + r.nextInt(100) + " ON \"" + table + "\" (\"" + cols.get(0).name() + "\")");
        MigratorTest.exec(db, sql.toArray(String[]::new));
        String indexSql = PlannerCasesTest.query(db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL");

        List<String[]> lines = new ArrayList<>(); // definition, annotation
        lines.add(new String[]{"id INTEGER PRIMARY KEY" + (autoinc ? " AUTOINCREMENT" : ""), ""});
        List<String[]> kept = new ArrayList<>(); // old name, new name
        boolean indexedKept = false;
        for (int i = 0; i < cols.size(); i++) {
            Col c = cols.get(i);
            int action = r.nextInt(5);
            if (action == 0 && !(i == 0 && !indexSql.isEmpty())) continue; // drop (not the indexed column)
            String name = c.name();
            String annotation = "";
            if (action == 1) {
                name = "renamed_" + i;
                annotation = " --% renamed column=\"" + c.name() + "\"";
            }
            String type = action == 2 ? (r.nextBoolean() ? "TEXT" : "BLOB") : c.type();
            String extra = action == 3 ? " NOT NULL DEFAULT 5" : c.extra();
            lines.add(new String[]{"\"" + name + "\" " + type + extra, annotation});
            if (type.equals(c.type())) kept.add(new String[]{c.name(), name});
            if (i == 0) indexedKept = true;
        }
        int added = r.nextInt(3);
        for (int i = 0; i < added; i++) {
            boolean fill = r.nextBoolean();
            lines.add(new String[]{"\"new" + i + "\" TEXT" + (fill ? " NOT NULL" : ""), fill ? " --% fill='f' || id" : ""});
        }
        StringBuilder wanted = new StringBuilder("CREATE TABLE \"" + table + "\" (\n");
        for (int i = 0; i < lines.size(); i++) {
            wanted.append("  ").append(lines.get(i)[0]).append(i < lines.size() - 1 ? "," : "").append(lines.get(i)[1]).append('\n');
        }
        wanted.append(");\n");
        if (!indexSql.isEmpty() && indexedKept) {
            String first = kept.stream().filter(k -> k[0].equals(cols.get(0).name())).map(k -> k[1]).findFirst().orElse(null);
            if (first != null) wanted.append(indexSql.replace("\"" + cols.get(0).name() + "\"", "\"" + first + "\"")).append(";\n");
        }
        List<String> before = new ArrayList<>();
        for (String[] k : kept) before.add(PlannerCasesTest.query(db, "SELECT id, \"" + k[0] + "\" FROM \"" + table + "\" ORDER BY id"));

        Migrator m = Migrator.configure().database(db).schema("schema.sql", wanted.toString()).allowDeletions(true).load();
        m.migrate();
        assertThat(m.diff().plan().statements()).as("re-plan of\n" + wanted).isEmpty();
        assertThat(PlannerCasesTest.query(db, "SELECT count(*), min(id), max(id) FROM \"" + table + "\"")).isEqualTo("20|1|20");
        for (int k = 0; k < kept.size(); k++) {
            assertThat(PlannerCasesTest.query(db, "SELECT id, \"" + kept.get(k)[1] + "\" FROM \"" + table + "\" ORDER BY id"))
                    .as("values of " + kept.get(k)[1] + " after\n" + wanted).isEqualTo(before.get(k));
        }
    }
}
