package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The operations server of a real replicator, asked over real HTTP on 127.0.0.1. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationsServerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    Path healthy;
    Path failing;
    Path hostile;
    RunningFleet fleet;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        healthy = dir.resolve("dbs/healthy.db");
        failing = dir.resolve("dbs/failing.db");
        // a path that is markup: a directory "<script>alert(1)<" holding "script>.db"
        hostile = dir.resolve("dbs/<script>alert(1)</script>.db");
        fleet = new RunningFleet(dir, List.of(healthy, failing, hostile),
                new ServerOptions(ListenAddress.parse("127.0.0.1:0"), Duration.ofSeconds(5), null, null));
        for (Path db : List.of(healthy, failing, hostile)) RunningFleet.write(db, 5);
        RunningFleet.await("every replica has its first snapshot", WAIT, () -> {
            for (Path db : List.of(healthy, failing, hostile)) {
                if (fleet.replicator.replicaPosition(db, "remote") == null) return db + " has none";
            }
            return null;
        });
        fleet.clients.get(failing).offline(true);
        RunningFleet.write(failing, 5);
        RunningFleet.await("the failing database shows as failing", WAIT, () -> {
            JsonNode page = json("/api/databases?state=failing");
            return page.get("matched").asInt() == 1 ? null : page.toString();
        });
    }

    @AfterAll
    void stop() {
        if (fleet != null) fleet.close();
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(fleet.url(path));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void metricsUseLitestreamNamesAndLabels() throws Exception {
        RunningFleet.await("a sync and a PUT are counted", WAIT, () -> {
            String body = get(fleet.url("/metrics")).body();
            return body.contains("litestream_sync_count{db=\"" + healthy + "\"}")
                    && body.contains("litestream_replica_operation_total{operation=\"PUT\",replica_type=\"file\"}") ? null : body;
        });
        HttpResponse<String> r = get(fleet.url("/metrics"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        String body = r.body();
        String db = "db=\"" + healthy + "\"";
        assertThat(body)
                .contains("# TYPE litestream_db_size gauge", "litestream_db_size{" + db + "}")
                .contains("litestream_wal_size{" + db + "}")
                .contains("litestream_total_wal_bytes{" + db + "}")
                .contains("litestream_shadow_wal_index{" + db + "}")
                .contains("litestream_sync_error_count{" + db + "}", "litestream_sync_seconds{" + db + "}")
                .contains("litestream_replica_wal_index{" + db + ",name=\"remote\"}")
                .contains("litestream_replica_wal_offset{" + db + ",name=\"remote\"}")
                .contains("litestream_replica_validation_total{" + db + ",name=\"remote\",status=\"ok\"}")
                .contains("litestream_replica_operation_bytes{operation=\"PUT\",replica_type=\"file\"}")
                .contains("keel_replica_lag_seconds{" + db + ",name=\"remote\"}", "keel_replica_lag_bytes{" + db + ",name=\"remote\"}")
                .contains("keel_replica_last_upload_timestamp_seconds{" + db + ",name=\"remote\"}")
                .contains("keel_database_generation_changes_total{" + db + ",reason=\"no_shadow_wal\"} 1.0")
                .contains("keel_databases_followed 3.0", "keel_databases_failing 1.0")
                .contains("keel_replica_failing{db=\"" + failing + "\",name=\"remote\"} 1.0")
                .contains("keel_storage_failures_total{operation=\"PUT\",replica_type=\"file\"}")
                .doesNotContain("litestream_sync_count_total");
        // the failing replica's lag in bytes is what it has not stored
        assertThat(metric(body, "keel_replica_lag_bytes{db=\"" + failing + "\",name=\"remote\"}")).isPositive();
        assertThat(metric(body, "keel_replica_lag_bytes{" + db + ",name=\"remote\"}")).isZero();
    }

    static double metric(String body, String series) {
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
        }
        throw new AssertionError("no series " + series + " in\n" + body);
    }

    @Test
    void readyzNamesTheDatabaseThatIsNotReplicated() throws Exception {
        RunningFleet.await("readyz names the failing database", WAIT, () -> {
            HttpResponse<String> r = get(fleet.url("/readyz"));
            return r.statusCode() == 503 && r.body().contains(failing.toString()) ? null : r.statusCode() + " " + r.body();
        });
        HttpResponse<String> r = get(fleet.url("/readyz"));
        assertThat(r.body()).doesNotContain(healthy.toString());
    }

    @Test
    void healthzSaysTheLoopsRun() throws Exception {
        RunningFleet.await("healthz is 200", WAIT, () -> {
            HttpResponse<String> r = get(fleet.url("/healthz"));
            return r.statusCode() == 200 ? null : r.statusCode() + " " + r.body();
        });
        assertThat(fleet.server.listener()).isInstanceOf(FleetState.class);
        assertThat(((FleetState) fleet.server.listener()).ticks()).isPositive();
    }

    @Test
    void databasesFilterByNameAndStateAndPage() throws Exception {
        JsonNode all = json("/api/databases");
        assertThat(all.get("total").asInt()).isEqualTo(3);
        assertThat(all.get("databases").get(0).get("db").asText()).as("worst first").isEqualTo(failing.toString());
        JsonNode failingOne = all.get("databases").get(0).get("replicas").get(0);
        assertThat(failingOne.get("failing").asBoolean()).isTrue();
        assertThat(failingOne.get("error").asText()).isNotEmpty();
        assertThat(failingOne.get("hint").asText()).contains("storage");

        JsonNode byName = json("/api/databases?q=" + URLEncoder.encode("HEALTHY", StandardCharsets.UTF_8));
        assertThat(byName.get("matched").asInt()).isEqualTo(1);
        assertThat(byName.get("databases").get(0).get("db").asText()).isEqualTo(healthy.toString());

        JsonNode ok = json("/api/databases?state=ok&sort=name&limit=1&offset=1");
        assertThat(ok.get("matched").asInt()).isEqualTo(2);
        assertThat(ok.get("databases")).hasSize(1);

        assertThat(get(fleet.url("/api/databases?limit=100000")).statusCode()).isEqualTo(400);
        assertThat(get(fleet.url("/api/databases?sort=evil")).statusCode()).isEqualTo(400);
        assertThat(get(fleet.url("/nothing-here")).statusCode()).isEqualTo(404);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(fleet.url("/metrics")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void aHostileNameIsDataNotMarkup() throws Exception {
        HttpResponse<String> r = get(fleet.url("/api/databases?q=" + URLEncoder.encode("<script>", StandardCharsets.UTF_8)));
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode page = new ObjectMapper().readTree(r.body());
        assertThat(page.get("databases").get(0).get("db").asText()).isEqualTo(hostile.toString());
        HttpResponse<String> html = get(fleet.url("/"));
        assertThat(html.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("script-src 'self'"));
        assertThat(html.body()).doesNotContain("<script>alert");
    }

    @Test
    void aPortInUseIsAnIoErrorNamingTheAddress() {
        String taken = "127.0.0.1:" + fleet.server.address().getPort();
        assertThatThrownBy(() -> OperationsServer.start(ServerOptions.at(ListenAddress.parse(taken))))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.IO);
                    assertThat(e.getMessage()).contains(taken);
                    assertThat(e.hint()).contains("another process uses this port");
                });
    }
}
