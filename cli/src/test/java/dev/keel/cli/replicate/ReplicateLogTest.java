package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.cli.Keel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code logging} block of the config as {@code keel replicate} (a separate process) applies it:
 * JSON objects with the engine's fields, stdout unless {@code stderr: true}, the text format unchanged,
 * and no secret in any line.
 */
class ReplicateLogTest {
    private static final String SECRET = "L0gS3cretKeyValue";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Output of one run, each stream on its own. */
    private record Output(List<String> out, List<String> err) {
    }

    private Path database() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (x)");
            s.execute("INSERT INTO t VALUES (1)");
        }
        return db;
    }

    /** A file replica that works and an s3 replica on a closed loopback port, with credentials. */
    private Path config(String logging) throws Exception {
        return Files.writeString(dir.resolve("keel.yml"), logging + """
                dbs:
                  - path: %s
                    monitor-interval: 100ms
                    replicas:
                      - name: local
                        url: file://%s
                        sync-interval: 100ms
                      - name: offsite
                        type: s3
                        bucket: b
                        path: app
                        endpoint: http://keel:%s@127.0.0.1:1
                        access-key-id: AKIDLOGTEST
                        secret-access-key: %s
                """.formatted(database(), dir.resolve("replica"), SECRET, SECRET));
    }

    /** Runs keel replicate until a line of either stream matches {@code until} (60 s at most), then stops it. */
    private Output replicate(Path config, Predicate<String> until) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Keel.class.getName(), "replicate", "-config", config.toString());
        Process p = new ProcessBuilder(cmd).start();
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        Object seen = new Object();
        boolean[] found = {false};
        Thread errReader = reader(p.getErrorStream(), err, seen, until, found);
        Thread outReader = reader(p.getInputStream(), out, seen, until, found);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (seen) {
            while (!found[0] && p.isAlive() && System.nanoTime() < deadline) seen.wait(200);
        }
        p.destroy(); // SIGTERM: a final sync, then exit
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        errReader.join(10_000);
        outReader.join(10_000);
        synchronized (seen) {
            assertThat(found[0]).as("a matching line in%n%s%n%s", out, err).isTrue();
            return new Output(List.copyOf(out), List.copyOf(err));
        }
    }

    private static Thread reader(java.io.InputStream stream, List<String> into, Object seen, Predicate<String> until, boolean[] found) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (seen) {
                        into.add(line);
                        if (until.test(line)) found[0] = true;
                        seen.notifyAll();
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void jsonWritesOneObjectPerEventWithTheEnginesFieldsOnStdout() throws Exception {
        List<String> lines = new ArrayList<>();
        Output o = replicate(config("logging:\n  type: json\n"), line -> {
            lines.add(line);
            return lines.stream().anyMatch(l -> l.contains("snapshot written")) && lines.stream().anyMatch(l -> l.contains("\"code\""));
        });
        assertThat(o.err()).as("nothing on stderr: %s", o.err()).isEmpty();
        assertThat(o.out()).isNotEmpty();
        List<JsonNode> events = new ArrayList<>();
        for (String line : o.out()) events.add(JSON.readTree(line)); // every line is one JSON object
        for (JsonNode e : events) {
            assertThat(e.isObject()).isTrue();
            assertThat(e.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
            assertThat(e.path("level").asText()).isIn("DEBUG", "INFO", "WARN", "ERROR");
            assertThat(e.path("msg").asText()).isNotEmpty();
        }
        String db = dir.resolve("app.db").toString();
        JsonNode generation = events.stream().filter(e -> e.path("msg").asText().contains("new generation")).findFirst().orElseThrow();
        assertThat(generation.path("db").asText()).isEqualTo(db);
        assertThat(generation.path("generation").asText()).matches("[0-9a-f]{16}");

        JsonNode snapshot = events.stream().filter(e -> e.path("msg").asText().contains("snapshot written")).findFirst().orElseThrow();
        assertThat(snapshot.path("db").asText()).isEqualTo(db);
        assertThat(snapshot.path("replica").asText()).isEqualTo("local");
        assertThat(snapshot.path("generation").asText()).isEqualTo(generation.path("generation").asText());
        assertThat(snapshot.path("position").asText()).startsWith(generation.path("generation").asText() + "/");
        assertThat(snapshot.path("bytes").isIntegralNumber()).isTrue();
        assertThat(snapshot.path("bytes").asLong()).isPositive();

        JsonNode failure = events.stream().filter(e -> e.has("code")).findFirst().orElseThrow();
        assertThat(failure.path("db").asText()).isEqualTo(db);
        assertThat(failure.path("replica").asText()).isEqualTo("offsite");
        assertThat(failure.path("code").asText()).isEqualTo("STORAGE_UNAVAILABLE");
        assertThat(failure.path("level").asText()).isEqualTo("WARN");
        assertThat(String.join("\n", o.out())).doesNotContain(SECRET);
    }

    @Test
    void stderrTrueSendsTheLogToStderr() throws Exception {
        Output o = replicate(config("logging:\n  stderr: true\n"), line -> line.contains("snapshot written"));
        assertThat(o.out()).as("nothing on stdout").isEmpty();
        assertThat(o.err()).anyMatch(l -> l.contains("snapshot written"));
        assertThat(String.join("\n", o.err())).doesNotContain(SECRET);
    }

    @Test
    void textKeepsItsFormatOnStdoutByDefault() throws Exception {
        Output o = replicate(config(""), line -> line.contains("snapshot written"));
        assertThat(o.err()).as("nothing on stderr: %s", o.err()).isEmpty();
        String snapshot = o.out().stream().filter(l -> l.contains("snapshot written")).findFirst().orElseThrow();
        assertThat(snapshot).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO "
                + ".*app\\.db -> file://.*: snapshot written for generation [0-9a-f]{16} index [0-9a-f]{8} .*");
        assertThat(snapshot).doesNotContain("replica=").doesNotContain("{");
        assertThat(String.join("\n", o.out())).doesNotContain(SECRET);
    }
}
