package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.ops.Heartbeat;
import dev.keel.replication.spi.ReplicaStorage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heartbeat against a real HTTP server on 127.0.0.1 and a real replicator: pings while every
 * database is replicated, none while a replica's storage is down (an injected fault around a real
 * file replica), failures of the monitoring service counted and never fatal, credentials never logged.
 */
class HeartbeatTest {
    private static final Duration FAST = Duration.ofMillis(100);
    private static final Duration INTERVAL = Duration.ofMillis(800);
    private static final String PASSWORD = "hb-s3cret-pw";

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger pings = new AtomicInteger();

    @BeforeEach
    void serve() throws Exception {
        System.setProperty("keel.internal.heartbeat-min-interval-ms", "100");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ping/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            pings.incrementAndGet();
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        System.clearProperty("keel.internal.heartbeat-min-interval-ms");
    }

    private URI url(String userInfo) {
        return URI.create("http://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + server.getAddress().getPort()
                + "/ping/0f1e2d3c");
    }

    private Path database() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        }
        return db;
    }

    private static void insert(Path db, int rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (int i = 0; i < rows; i++) s.execute("INSERT INTO t (v) VALUES ('row')");
        }
    }

    private Replicator replicate(Path db, FaultyReplicaClient client, Heartbeat heartbeat) {
        ReplicaConfig replica = new ReplicaConfig("backup", new ReplicaStorage.File(dir.resolve("replica")), FAST, null, null, null, null);
        DatabaseConfig config = new DatabaseConfig(db, null, FAST, null, 0, 0, List.of(replica));
        return EngineOptions.DEFAULT.withClients(r -> client)
                .start(Replicator.configure().database(config).listener(heartbeat.listener()));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("no " + what + " within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void pingsWhileReplicatedAndStopsWhileAReplicaFailsThenResumes() throws Exception {
        Path db = database();
        FaultyReplicaClient client = new FaultyReplicaClient(new FileReplicaClient(dir.resolve("replica")));
        Heartbeat heartbeat = Heartbeat.to(url("monitor:" + PASSWORD)).every(INTERVAL);
        try (LogCapture log = LogCapture.start(); Replicator r = replicate(db, client, heartbeat); Heartbeat hb = heartbeat) {
            hb.start();
            insert(db, 5);
            // the server counts a ping when it arrives, the heartbeat when its answer does
            await("two pings while replicated", () -> pings.get() >= 2 && hb.pings() >= 2);
            assertThat(hb.pings()).isLessThanOrEqualTo(pings.get());
            // The URL's user info is sent as basic authentication, as Go's client does, and never logged.
            assertThat(authorizations).allMatch(a -> a.equals("Basic " + java.util.Base64.getEncoder()
                    .encodeToString(("monitor:" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8))));

            client.offline(true);
            insert(db, 5);
            await("the heartbeat withheld", () -> log.text().contains("heartbeat withheld"));
            int before = pings.get();
            Thread.sleep(4 * INTERVAL.toMillis()); // several intervals: a ping now would be a lie
            assertThat(pings.get()).as("pings while the replica cannot be written").isEqualTo(before);
            assertThat(log.text()).contains("heartbeat withheld: " + db + " replica backup has not acknowledged WAL committed");

            client.heal();
            await("a ping once the replica caught up", () -> pings.get() > before);
            assertThat(log.text()).contains("pings resume").doesNotContain(PASSWORD);
        }
    }

    @Test
    void aFailingMonitoringServiceIsLoggedAndCountedNeverFatal() throws Exception {
        Path db = database();
        FaultyReplicaClient client = new FaultyReplicaClient(new FileReplicaClient(dir.resolve("replica")));
        status.set(503);
        Heartbeat heartbeat = Heartbeat.to(url("u:" + PASSWORD)).every(Duration.ofMillis(200));
        try (LogCapture log = LogCapture.start(); Replicator r = replicate(db, client, heartbeat); Heartbeat hb = heartbeat) {
            hb.start();
            await("failed pings", () -> hb.failures() >= 2);
            assertThat(hb.pings()).isZero();
            assertThat(log.text()).contains("heartbeat: ping to http://u:***@127.0.0.1:").contains("HTTP status 503")
                    .doesNotContain(PASSWORD);
            insert(db, 3); // replication goes on
            await("the rows on the replica", () -> r.replicaPosition(db, "backup") != null
                    && r.replicaPosition(db, "backup").equals(r.position(db)));
            status.set(204);
            await("a ping once the service answers", () -> hb.pings() >= 1);
        }
    }

    @Test
    void anUnreachableMonitoringServiceIsAFailureNotAnError() throws Exception {
        Path db = database();
        FaultyReplicaClient client = new FaultyReplicaClient(new FileReplicaClient(dir.resolve("replica")));
        server.stop(0); // nothing listens on that port now
        Heartbeat heartbeat = Heartbeat.to(url(null)).every(Duration.ofMillis(200));
        try (Replicator r = replicate(db, client, heartbeat); Heartbeat hb = heartbeat) {
            hb.start();
            await("failed pings", () -> hb.failures() >= 1);
            assertThat(hb.pings()).isZero();
        }
        serve(); // for @AfterEach
    }

    @Test
    void refusesAUrlThatIsNotHttpAndAnIntervalUnderTheMinimum() {
        System.clearProperty("keel.internal.heartbeat-min-interval-ms");
        assertThatThrownBy(() -> Heartbeat.to(URI.create("ftp://u:" + PASSWORD + "@host/x")))
                .isInstanceOf(KeelException.class).hasMessageContaining("http or https")
                .satisfies(e -> assertThat(((KeelException) e).code()).isEqualTo(ErrorCode.BAD_INPUT))
                .satisfies(e -> assertThat(e.toString() + ((KeelException) e).subject()).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> Heartbeat.to(URI.create("/relative"))).isInstanceOf(KeelException.class);
        assertThatThrownBy(() -> Heartbeat.to(url(null)).every(Duration.ofSeconds(59)))
                .isInstanceOf(KeelException.class).hasMessageContaining("at least 1 minute");
        assertThat(Heartbeat.to(url(null)).interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(Heartbeat.to(url(null)).every(Duration.ofMinutes(1)).interval()).isEqualTo(Duration.ofMinutes(1));
    }
}
