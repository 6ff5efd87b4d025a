package dev.keel.schema;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;

/**
 * Generates hostile schema files from a seed: statements that try to reach the live database or
 * other files, to load native code, to change process-wide state, to run forever or exhaust memory,
 * annotation values that try to inject statements, and text that is malformed in every way a
 * tokenizer can disagree with SQLite about. The schema always keeps the live tables keepme and kv.
 */
final class HostileSchemas {
    /** One generated schema file: its bytes, and a short description of what it tries. */
    record Case(byte[] bytes, String tries) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private final Random r;
    private final Path live;
    private final Path outside;

    /** {@code live} is the database being migrated; {@code outside} a directory no file may appear in. */
    HostileSchemas(Random r, Path live, Path outside) {
        this.r = r;
        this.live = live;
        this.outside = outside;
    }

    Case next() {
        List<String> tries = new ArrayList<>();
        List<String> statements = new ArrayList<>();
        statements.add("CREATE TABLE keepme (id INTEGER PRIMARY KEY, x TEXT);");
        statements.add(kv(tries));
        int hostile = r.nextInt(3);
        for (int i = 0; i < hostile; i++) {
            Function<HostileSchemas, String> kind = KINDS.get(r.nextInt(KINDS.size()));
            String s = kind.apply(this);
            tries.add(s.length() > 80 ? s.substring(0, 80) + "..." : s);
            statements.add(r.nextInt(statements.size() + 1), s);
        }
        StringBuilder text = new StringBuilder();
        for (String s : statements) text.append(s).append(r.nextInt(4) == 0 ? "\n\n-- note\n" : "\n");
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        int damage = r.nextInt(12);
        if (damage == 0) bytes = insert(bytes, new byte[]{0});
        if (damage == 1) bytes = insert(bytes, new byte[]{(byte) 0xff});
        if (damage == 2) bytes = insert(bytes, new byte[]{(byte) 0xc3, (byte) 0x28});
        if (damage == 3) bytes = insert(bytes, pick("'", "\"", "[", "`", "/*", "x'", "--%").getBytes(StandardCharsets.UTF_8));
        if (damage <= 3) tries.add("damaged bytes");
        return new Case(bytes, String.join(" | ", tries));
    }

    /** The kv table, sometimes with a new or converted column whose annotation is hostile. */
    private String kv(List<String> tries) {
        String extra = "";
        String w = "w TEXT";
        switch (r.nextInt(4)) {
            case 0 -> extra = ",\n  n INT NOT NULL --% fill=" + expression();
            case 1 -> extra = ",\n  n INT " + pick("", "DEFAULT 7 ") + "--%  FILL =" + expression();
            case 2 -> w = "w INTEGER --% using=" + expression();
            default -> {
            }
        }
        if (!extra.isEmpty() || !w.equals("w TEXT")) tries.add("annotation: " + extra + w);
        return "CREATE TABLE kv (\n  k TEXT PRIMARY KEY,\n  v TEXT,\n  " + w + extra + "\n) WITHOUT ROWID;";
    }

    private String expression() {
        String e = pick("0", "0;", "0; DROP TABLE keepme", "(select 1) where 0; drop table keepme", "0 -- old rows",
                "0) FROM kv; DELETE FROM keepme; SELECT (1", "0 /*", "'x", "\"x", "[x", "x'00", "1, 2", "select 1", "?1",
                "0 */", "length(v)", "'a' || k", "(SELECT count(*) FROM keepme)", "CASE WHEN v > '1' THEN 1 ELSE 0 END",
                "0 UNION SELECT 1", "1 AS n", "load_extension('" + outside.resolve("x.so") + "')",
                "\"LOAD_EXTENSION\" ('x')", "(SELECT x FROM keepme ORDER BY id LIMIT 1)", "((((((0))))))", nested(r.nextInt(1500)),
                "0 --% fill=1", "0)", "(0", "coalesce(v, 0) /* keep */", "0 ; --", "k)) FROM kv WHERE ((1");
        return r.nextBoolean() ? e : " " + e + "  ";
    }

    private static final List<Function<HostileSchemas, String>> KINDS = List.of(
            HostileSchemas::attach, HostileSchemas::detach, HostileSchemas::vacuum, HostileSchemas::loadExtension,
            HostileSchemas::pragma, HostileSchemas::endless, HostileSchemas::huge, HostileSchemas::deep,
            HostileSchemas::jdbcCommand, HostileSchemas::harmless, HostileSchemas::unterminated);

    private String attach() {
        String path = pick(live.toString(), "app.db", "file:" + live + "?mode=rw", outside.resolve("new.db").toString(),
                "file:" + outside.resolve("uri.db") + "?mode=rwc", ":memory:", "");
        String name = pick("live", "\"live\"", "[live]", "`live`", "main2");
        return kw("ATTACH") + sep() + (r.nextBoolean() ? kw("DATABASE") + sep() : "") + "'" + path + "'" + sep() + kw("AS") + " " + name
                + ";\n" + kw("DELETE") + " " + kw("FROM") + " " + name + ".keepme;";
    }

    private String detach() {
        return kw("DETACH") + sep() + (r.nextBoolean() ? kw("DATABASE") + sep() : "") + pick("main", "temp", "live") + ";";
    }

    private String vacuum() {
        return kw("VACUUM") + sep() + pick("", "main" + sep(), "temp" + sep()) + pick("", kw("INTO") + sep() + "'"
                + outside.resolve("v" + r.nextInt(9) + ".db") + "'") + ";";
    }

    private String loadExtension() {
        String call = pick("load_extension", "LOAD_EXTENSION", "\"load_extension\"", "[load_extension]") + sep() + "('"
                + outside.resolve("evil.so") + "')";
        return pick("SELECT " + call + ";", "CREATE VIEW lx AS SELECT " + call + ";",
                "CREATE TRIGGER lt AFTER INSERT ON keepme BEGIN SELECT " + call + "; END;");
    }

    private String pragma() {
        String name = pick("writable_schema", "temp_store_directory", "hard_heap_limit", "soft_heap_limit", "max_page_count",
                "temp_store", "mmap_size", "schema_version", "foreign_keys", "user_version", "journal_mode", "cache_size", "threads");
        String schema = pick("", "main.", "temp.", "\"main\".");
        String value = pick("", " = 1", " = '" + outside + "'", "(0)", " = ON", "=wal", " = -1");
        return kw("PRAGMA") + sep() + schema + (r.nextBoolean() ? name : "\"" + name.toUpperCase(Locale.ROOT) + "\"") + value + ";";
    }

    private String endless() {
        String cte = kw("WITH") + " " + kw("RECURSIVE") + " c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)";
        return pick(cte + " SELECT count(*) FROM c;", cte + " SELECT x FROM c;", cte + " SELECT x FROM c ORDER BY x DESC;",
                "CREATE TABLE junk AS " + cte + " SELECT randomblob(3000) FROM c;",
                "CREATE TEMP TABLE tj AS " + cte + " SELECT x FROM c;",
                "CREATE VIEW endless AS " + cte + " SELECT x FROM c;",
                "WITH RECURSIVE s(t) AS (SELECT 'ab' UNION ALL SELECT t || t FROM s) SELECT count(*) FROM s;");
    }

    private String huge() {
        int n = 1 << (10 + r.nextInt(11));
        return pick("SELECT length(zeroblob(" + (1L << (20 + r.nextInt(12))) + "));",
                "SELECT length(randomblob(" + n * 2 + "));",
                "SELECT '" + "y".repeat(n) + "';",
                "CREATE TABLE big (a DEFAULT '" + "z".repeat(Math.min(n, 4096)) + "');",
                "SELECT printf('%.*c', " + (1L << (20 + r.nextInt(12))) + ", 'x');");
    }

    private String deep() {
        int depth = pick(10, 200, 999, 1001, 3000, 20_000);
        return pick("SELECT " + nested(depth) + ";", "CREATE TABLE deep (a INT CHECK (" + nested(Math.min(depth, 900)) + " >= 0));",
                "CREATE VIEW dv AS SELECT " + nested(depth) + " AS d;");
    }

    private String jdbcCommand() {
        return pick("backup to '" + outside.resolve("b.db") + "';", "BACKUP main TO '" + outside.resolve("b2.db") + "';",
                "restore from '" + live + "';");
    }

    private String harmless() {
        return pick("INSERT INTO keepme VALUES (99, 'scratch only');", "CREATE INDEX kx ON keepme (x);",
                "CREATE VIEW kview AS SELECT x FROM keepme;", "SELECT * FROM keepme;", "EXPLAIN SELECT 1;",
                "CREATE VIRTUAL TABLE ft USING fts5(body);", "SELECT readfile('" + live + "');",
                "CREATE TRIGGER kt AFTER DELETE ON kv BEGIN DELETE FROM keepme; END;", "DELETE FROM keepme;", "DROP TABLE keepme;");
    }

    private String unterminated() {
        return pick("SELECT 'open;", "SELECT \"open;", "SELECT [open;", "/* open comment; ATTACH 'x' AS y;",
                "CREATE TABLE u (a TEXT DEFAULT 'x", "SELECT x'0;", "SELECT $a(;) ;", "CREATE TRIGGER ut AFTER INSERT ON keepme BEGIN");
    }

    private String nested(int depth) {
        return "(".repeat(depth) + "1" + ")".repeat(depth);
    }

    /** {@code word} in a random case. */
    private String kw(String word) {
        StringBuilder out = new StringBuilder();
        for (char c : word.toCharArray()) out.append(r.nextBoolean() ? Character.toLowerCase(c) : c);
        return out.toString();
    }

    /** Whitespace, or a comment, between two keywords. */
    private String sep() {
        return pick(" ", "  ", "\n", "/**/", " /* x; */ ", " -- c;\n", "\t");
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[r.nextInt(options.length)];
    }

    private byte[] insert(byte[] bytes, byte[] extra) {
        int at = r.nextInt(bytes.length + 1);
        byte[] out = new byte[bytes.length + extra.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(bytes, at, out, at + extra.length, bytes.length - at);
        return out;
    }
}
