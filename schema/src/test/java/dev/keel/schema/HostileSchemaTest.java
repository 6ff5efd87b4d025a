package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.source.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded hostile schema files ({@link HostileSchemas}) run through migrate, diff and check against
 * a real database holding rows. Each is either refused (BAD_INPUT naming a line of the schema
 * file, or REFUSED) or succeeds; in every case the rows outside the schema change are intact, no
 * file appears anywhere but the database itself, and SQLite's process-wide settings are untouched.
 */
class HostileSchemaTest {
    private static final int CASES = Integer.getInteger("keel.hostile.cases", 80);
    private static final Sandbox.Limits LIMITS = new Sandbox.Limits(Duration.ofMillis(150), 2048, 1 << 20, 1 << 20);
    private static final String KEEPME = "1|one\n2|two\n3|three";
    private static final String KV = "a|1\nb|2\nc|3";

    @TempDir
    Path dir;

    @Test
    void hostileSchemaFilesAreRefusedOrHarmless() throws Exception {
        long base = Long.getLong("keel.seed", System.nanoTime());
        Path template = dir.resolve("template.db");
        MigratorTest.exec(template, "CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT)",
                "INSERT INTO keepme VALUES (1, 'one'), (2, 'two'), (3, 'three')",
                "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT, w TEXT) WITHOUT ROWID",
                "INSERT INTO kv VALUES ('a', '1', '10'), ('b', '2', '20'), ('c', '3', '30')");
        for (int i = 0; i < CASES; i++) {
            long seed = base + i;
            Path work = Files.createDirectory(dir.resolve("case" + i));
            HostileSchemas.Case c = null;
            try {
                // consecutive seeds give java.util.Random correlated first values: mix them first
                Random r = new Random(new SplittableRandom(seed).nextLong());
                Path db = Files.copy(template, work.resolve("app.db"));
                Path outside = Files.createDirectory(work.resolve("outside"));
                c = new HostileSchemas(r, db, outside).next();
                Path schema = Files.write(work.resolve("schema.sql"), c.bytes());
                run(r.nextInt(3), db, schema, c);
                assertThat(PlannerCasesTest.query(db, "SELECT id, x FROM keepme ORDER BY id")).isEqualTo(KEEPME);
                assertThat(PlannerCasesTest.query(db, "SELECT k, v FROM kv ORDER BY k")).isEqualTo(KV);
                try (Stream<Path> files = Files.list(work)) {
                    assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("app.db", "outside", "schema.sql");
                }
                try (Stream<Path> files = Files.list(outside)) {
                    assertThat(files).isEmpty();
                }
                assertProcessSettingsUntouched();
            } catch (Throwable t) {
                String text = c == null ? "" : c.text();
                throw new AssertionError("hostile schema case failed; rerun with -Dkeel.seed=" + seed + " (case " + i + ", tries: "
                        + (c == null ? "?" : c.tries()) + ")\n" + (text.length() > 2000 ? text.substring(0, 2000) + "..." : text)
                        + "\n" + t, t);
            }
        }
    }

    private void run(int command, Path db, Path schema, HostileSchemas.Case c) {
        try {
            Migrator m = Migrator.configure().database(db).schema(schema).sandbox(LIMITS).load();
            switch (command) {
                case 0 -> m.migrate();
                case 1 -> m.diff();
                default -> m.check();
            }
        } catch (KeelException e) {
            assertThat(e.code()).as(e.toString()).isIn(ErrorCode.BAD_INPUT, ErrorCode.REFUSED);
            if (e.code() == ErrorCode.BAD_INPUT) {
                Matcher at = Pattern.compile(Pattern.quote(schema.toString()) + ":(\\d+)").matcher(String.valueOf(e.subject()));
                assertThat(at.matches()).as("BAD_INPUT names a line of the schema file: " + e).isTrue();
                assertThat(Integer.parseInt(at.group(1))).isBetween(1, (int) c.text().lines().count() + 1);
            }
        }
    }

    /** Settings that belong to the whole process, which a schema file must not be able to change. */
    private static void assertProcessSettingsUntouched() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement st = c.createStatement()) {
            for (String pragma : List.of("hard_heap_limit", "soft_heap_limit", "temp_store_directory")) {
                try (ResultSet rs = st.executeQuery("PRAGMA " + pragma)) {
                    String value = rs.next() ? rs.getString(1) : null;
                    assertThat(value == null || value.isEmpty() || value.equals("0")).as(pragma + " = " + value).isTrue();
                }
            }
        }
    }
}
