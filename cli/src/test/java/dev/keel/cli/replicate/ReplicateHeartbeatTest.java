package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.keel.cli.Keel;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code heartbeat-url} in the config: a running {@code keel replicate} pings a real HTTP server on 127.0.0.1. */
class ReplicateHeartbeatTest {
    private static final String PASSWORD = "cli-hb-pa55word";

    @TempDir
    Path dir;

    @Test
    void pingsTheConfiguredUrlWhileReplicatingAndNeverLogsItsPassword() throws Exception {
        AtomicInteger pings = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ping", exchange -> {
            pings.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (x)");
        }
        Path config = Files.writeString(dir.resolve("keel.yml"), """
                heartbeat-url: http://monitor:%s@127.0.0.1:%d/ping
                heartbeat-interval: 300ms
                dbs:
                  - path: %s
                    replicas:
                      - url: file://%s
                        sync-interval: 100ms
                """.formatted(PASSWORD, server.getAddress().getPort(), db, dir.resolve("replica")));
        Path log = dir.resolve("log.txt");
        // The minimum of 1m is lowered through the internal option, which no user sets.
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dkeel.internal.heartbeat-min-interval-ms=100", "-cp", System.getProperty("java.class.path"),
                Keel.class.getName(), "replicate", "-config", config.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pings.get() < 2) {
                assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("no pings within 60 s:%n%s", Files.readString(log)).isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
            server.stop(0);
        }
        assertThat(Files.readString(log)).contains("heartbeat: pinging http://monitor:***@127.0.0.1:").doesNotContain(PASSWORD);
    }
}
