package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.Keel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel replicate} with {@code addr}: it serves metrics, and a port in use is an error it exits with. */
class ReplicateServesTest {
    private static final Pattern SERVING = Pattern.compile("http://127\\.0\\.0\\.1:([0-9]+)/");

    @TempDir
    Path dir;

    private Process keel(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Keel.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private Path walDatabase() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t (v) VALUES ('one')");
        }
        return db;
    }

    @Test
    void theConfigsAddrServesMetrics() throws Exception {
        Path db = walDatabase();
        Path config = dir.resolve("keel.yml");
        Files.writeString(config, "addr: '127.0.0.1:0'\nserver:\n  ready-within: 30s\ndbs:\n  - path: " + db
                + "\n    replicas:\n      - url: file://" + dir.resolve("replica") + "\n");
        Process p = keel("replicate", "-config", config.toString());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String port = null;
            for (String line; port == null && (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher m = SERVING.matcher(line);
                if (m.find()) port = m.group(1);
            }
            assertThat(port).as(seen.toString()).isNotNull();
            Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
            drain.setDaemon(true);
            drain.start();
            HttpClient http = HttpClient.newHttpClient();
            URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
            String body = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !body.contains("litestream_replica_wal_offset{db=\"" + db + "\"")) {
                body = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
                Thread.sleep(200);
            }
            assertThat(body).contains("litestream_db_size{db=\"" + db + "\"}", "keel_databases_followed 1.0")
                    .contains("litestream_replica_wal_offset{db=\"" + db + "\",name=\"file\"}");
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPortInUseExits74NamingTheAddress() throws Exception {
        Path db = walDatabase();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String addr = "127.0.0.1:" + taken.getLocalPort();
            Process p = keel("replicate", "-addr", addr, db.toString(), "file://" + dir.resolve("replica"));
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(output).isEqualTo(74);
            assertThat(output).contains("error: " + addr + ": cannot listen on " + addr).contains("hint: another process uses this port");
            assertThat(Files.exists(dir.resolve("replica"))).as("nothing replicated").isFalse();
        }
    }

    @Test
    void aBadAddrIsAUsageError() throws Exception {
        Path db = walDatabase();
        Process p = keel("replicate", "-addr", "9090", db.toString(), "file://" + dir.resolve("replica"));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isEqualTo(64);
        assertThat(output).contains("'9090' is not an address to listen on").contains("hint: write ':9090'");
    }
}
