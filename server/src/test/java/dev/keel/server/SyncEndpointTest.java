package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.replication.restore.Restorer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /sync} against a real replicator and a real HTTP client: it returns when the commit is on the replica. */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncEndpointTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    Path dir;
    Path fast;
    Path down;
    RunningFleet fleet;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        fast = dir.resolve("dbs/fast.db");
        down = dir.resolve("dbs/down.db");
        fleet = new RunningFleet(dir, List.of(fast, down), new ServerOptions(ListenAddress.parse("127.0.0.1:0"), null, null, null));
        RunningFleet.write(fast, 1);
        RunningFleet.write(down, 1);
        RunningFleet.await("both replicas have a snapshot", Duration.ofSeconds(60), () -> {
            for (Path db : List.of(fast, down)) {
                if (fleet.replicator.replicaPosition(db, "remote") == null) return db + " has none";
            }
            return null;
        });
    }

    @AfterAll
    void stop() {
        if (fleet != null) fleet.close();
    }

    HttpResponse<String> post(String query) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(fleet.url("/sync" + query))).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String db(Path p) {
        return URLEncoder.encode(p.toString(), StandardCharsets.UTF_8);
    }

    @Test
    void aSyncReturnsOnceTheCommitIsOnTheReplica() throws Exception {
        fleet.server.serveSync(fleet.replicator);
        for (int i = 0; i < 3; i++) {
            RunningFleet.write(fast, 1);
            long rows = rows(fast);
            HttpResponse<String> r = post("?db=" + db(fast) + "&wait=30s");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).startsWith("replicated: " + fast);
            Path restored = dir.resolve("restored-" + i + ".db");
            Restorer.configure().from(fleet.clients.get(fast).delegate()).output(restored).restore();
            assertThat(rows(restored)).isEqualTo(rows);
        }
    }

    static long rows(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aReplicaThatIsDownTimesOutNamingIt() throws Exception {
        fleet.server.serveSync(fleet.replicator);
        fleet.clients.get(down).offline(true);
        try {
            RunningFleet.write(down, 1);
            HttpResponse<String> r = post("?db=" + db(down) + "&wait=1500ms");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
            assertThat(r.body()).contains("remote");
        } finally {
            fleet.clients.get(down).offline(false);
        }
    }

    @Test
    void badRequestsAreRefusedWithWhatIsWrong() throws Exception {
        fleet.server.serveSync(fleet.replicator);
        assertThat(post("").statusCode()).isEqualTo(400);
        assertThat(post("?db=" + db(fast) + "&wait=forever").body()).contains("not a duration");
        assertThat(post("?db=" + db(fast) + "&wait=11m").statusCode()).isEqualTo(400);
        assertThat(post("?db=" + db(fast) + "&db=x").body()).contains("given twice");
        assertThat(post("?db=" + db(fast) + "&color=red").body()).contains("unknown parameter");
        assertThat(post("?db=" + db(fast.resolveSibling("other.db"))).statusCode()).isEqualTo(404);
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(fleet.url("/sync?db=" + db(fast)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void waitDurationsAreParsedAsTheConfigWritesThem() {
        assertThat(SyncEndpoint.Request.parseWait(null)).isEqualTo(Duration.ofSeconds(10));
        assertThat(SyncEndpoint.Request.parseWait("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(SyncEndpoint.Request.parseWait("250ms")).isEqualTo(Duration.ofMillis(250));
        for (String bad : List.of("", "0s", "10", "s", "-1s", "1m30", "10x", "99999999999s")) {
            assertThatThrownBy(() -> SyncEndpoint.Request.parseWait(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
