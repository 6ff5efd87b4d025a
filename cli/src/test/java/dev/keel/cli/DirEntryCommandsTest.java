package dev.keel.cli;

import static dev.keel.cli.KeelCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.cli.KeelCliTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dir:} entries through the command line: replicate -dir, databases, restore -config onto a fresh host. */
class DirEntryCommandsTest {
    @TempDir
    Path dir;

    private Process keel(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Keel.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static void createDatabase(Path db, int rows) throws Exception {
        Files.createDirectories(db.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)");
            for (int i = 0; i < rows; i++) s.execute("INSERT INTO t (v) VALUES ('row " + i + "')");
        }
    }

    private static long count(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Path config(Path tenants, Path prefix) throws Exception {
        return Files.writeString(dir.resolve("keel.yml"), """
                dbs:
                  - dir: %s
                    recursive: true
                    monitor-interval: 100ms
                    replicas:
                      - url: %s
                        sync-interval: 100ms
                """.formatted(tenants, prefix.toUri()));
    }

    @Test
    void replicateDirFollowsEveryDatabaseAndOneCreatedWhileItRuns() throws Exception {
        Path tenants = dir.resolve("tenants");
        createDatabase(tenants.resolve("a.db"), 2);
        createDatabase(tenants.resolve("eu/acme.db"), 3);
        Path prefix = dir.resolve("replicas");
        Path late = tenants.resolve("late.db");
        // The child creates a database once replication runs, then gives the rescan time to find it.
        String child = "sh -c 'sleep 0.5; sqlite3 " + late + " \"PRAGMA journal_mode=wal; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                + " INSERT INTO t (v) VALUES (1);\"; sleep 2'";
        Process p = keel("replicate", "-dir", tenants.toString(), "-recursive", "-exec", child, prefix.toUri().toString());
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(log).contains(late + ": replicating to").doesNotContain("WARN");

        Path out = dir.resolve("out");
        Run r = run("restore", "-o", out + "/", prefix.toUri().toString());
        assertThat(r.status()).as(r.err() + r.out()).isZero();
        assertThat(count(out.resolve("a.db"))).isEqualTo(2);
        assertThat(count(out.resolve("eu/acme.db"))).isEqualTo(3);
        assertThat(count(out.resolve("late.db"))).isEqualTo(1);
    }

    @Test
    void patternAndRecursiveWithoutDirAreAUsageError() {
        Run r = run("replicate", "-recursive", "app.db", "file:///tmp/x");
        assertThat(r.status()).isEqualTo(64);
        assertThat(r.err()).contains("-pattern and -recursive need -dir");
    }

    @Test
    void databasesShowsWhatADirEntryExpandsToNow() throws Exception {
        Path tenants = dir.resolve("tenants");
        createDatabase(tenants.resolve("a.db"), 1);
        createDatabase(tenants.resolve("eu/acme.db"), 1);
        Files.writeString(tenants.resolve("readme.db"), "not a database");
        Path config = config(tenants, dir.resolve("replicas"));

        Run text = run("databases", "-config", config.toString());
        assertThat(text.status()).as(text.err()).isZero();
        assertThat(text.out()).contains("dir " + tenants + " (pattern '*.db', recursive): 2 databases")
                .contains("eu/acme.db").contains(dir.resolve("replicas/eu/acme.db").toString()).doesNotContain("readme");

        Run json = run("databases", "-config", config.toString(), "--json");
        assertThat(json.status()).as(json.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        JsonNode dbs = root.get("databases");
        assertThat(dbs).hasSize(2);
        assertThat(dbs.get(1).get("name").asText()).isEqualTo("eu/acme.db");
        assertThat(dbs.get(1).get("path").asText()).isEqualTo(tenants.resolve("eu/acme.db").toString());
        assertThat(dbs.get(1).get("dir").asText()).isEqualTo(tenants.toString());
        assertThat(dbs.get(1).get("monitorInterval").asText()).isEqualTo("100ms");
        assertThat(dbs.get(1).get("replicas").get(0).get("url").asText()).isEqualTo("file://" + dir.resolve("replicas/eu/acme.db"));
        JsonNode entry = root.get("directories").get(0);
        assertThat(entry.get("pattern").asText()).isEqualTo("*.db");
        assertThat(entry.get("recursive").asBoolean()).isTrue();
        assertThat(entry.get("watch").asBoolean()).isTrue();
        assertThat(entry.get("databases")).hasSize(2);
    }

    @Test
    void restoreConfigBringsADirEntrysWholeFleetBackOnAFreshHost() throws Exception {
        Path tenants = dir.resolve("tenants");
        Path prefix = dir.resolve("replicas");
        createDatabase(tenants.resolve("a.db"), 2);
        createDatabase(tenants.resolve("eu/acme.db"), 4);
        Path config = config(tenants, prefix);
        Process p = keel("replicate", "-config", config.toString(), "-exec", "true");
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        Run validate = run("validate", "-config", config.toString());
        assertThat(validate.status()).as(validate.out() + validate.err()).isZero();
        assertThat(validate.out()).contains(tenants.resolve("a.db").toString()).contains(tenants.resolve("eu/acme.db").toString());

        // A hostile name below the prefix: it must not be written anywhere.
        Path hostile = prefix.resolve("..\\escape.db");
        copyTree(prefix.resolve("a.db"), hostile);

        deleteTree(tenants); // the fresh host: nothing but the config
        Run r = run("restore", "-config", config.toString(), "-parallelism", "2");
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(65);
        assertThat(r.out()).contains("refused database name").contains("2 restored");
        assertThat(count(tenants.resolve("a.db"))).isEqualTo(2);
        assertThat(count(tenants.resolve("eu/acme.db"))).isEqualTo(4);
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.contains("escape")).toList())
                    .containsExactly("..\\escape.db"); // only the replica's own directory
        }

        Run again = run("restore", "-config", config.toString(), "-if-db-not-exists");
        assertThat(again.out()).contains("2 skipped");

        // One database of the entry, named by its path.
        Path one = dir.resolve("one.db");
        Run single = run("restore", "-config", config.toString(), "-o", one.toString(), tenants.resolve("eu/acme.db").toString());
        assertThat(single.status()).as(single.out() + single.err()).isZero();
        assertThat(count(one)).isEqualTo(4);
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
