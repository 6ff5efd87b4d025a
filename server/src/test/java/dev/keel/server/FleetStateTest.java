package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.Redactor;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.spi.ReplicationListener.FollowedReplica;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server's picture of the fleet, fed events as the engine sends them. */
class FleetStateTest {
    private static final Generation G = Generation.parse("0123456789abcdef");

    private static FleetState fleet(Redactor redactor, int databases, int failing) {
        FleetState s = new FleetState(redactor);
        for (int i = 0; i < databases; i++) {
            Path db = Path.of("/data/db" + i + ".db");
            s.databaseFollowed(db, null, List.of(new FollowedReplica("s3", "s3", "s3://bucket/db" + i, null)));
            s.generationStarted(db, G, "no shadow WAL to continue (first run)");
            s.walCopied(db, new Position(G, 0, 4152), 4152);
            s.snapshotWritten(db, "s3", new Position(G, 0, 0), 100, Duration.ofMillis(5));
            s.segmentWritten(db, "s3", new Position(G, 0, 0), new Position(G, 0, 4152), 50);
        }
        for (int i = 0; i < failing; i++) {
            Path db = Path.of("/data/db" + i + ".db");
            s.walCopied(db, new Position(G, 0, 8272), 4120);
            s.syncFailed(db, "s3", new java.io.IOException("connection refused"));
        }
        return s;
    }

    private static String scrape(FleetState s, MetricsDetail detail) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, new MetricsCollector(s,
                new ServerOptions(ListenAddress.parse("127.0.0.1:0"), null, detail, null)).collect());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void lagIsWhatTheReplicaDoesNotHold() throws IOException {
        String body = scrape(fleet(null, 2, 1), MetricsDetail.ALL);
        assertThat(OperationsServerTest.metric(body, "keel_replica_lag_bytes{db=\"/data/db0.db\",name=\"s3\"}")).isEqualTo(4120);
        assertThat(OperationsServerTest.metric(body, "keel_replica_lag_bytes{db=\"/data/db1.db\",name=\"s3\"}")).isZero();
        assertThat(OperationsServerTest.metric(body, "keel_replica_lag_seconds{db=\"/data/db1.db\",name=\"s3\"}")).isZero();
        assertThat(OperationsServerTest.metric(body, "litestream_replica_wal_offset{db=\"/data/db1.db\",name=\"s3\"}")).isEqualTo(4152);
        assertThat(OperationsServerTest.metric(body, "keel_databases_failing")).isEqualTo(1);
        assertThat(OperationsServerTest.metric(body, "keel_generation_changes_total{reason=\"no_shadow_wal\"}")).isEqualTo(2);
    }

    @Test
    void worstNKeepsAggregatesAndTheWorstDatabasesOnly() throws IOException {
        FleetState s = fleet(null, 50, 2);
        String body = scrape(s, new MetricsDetail(3));
        assertThat(OperationsServerTest.metric(body, "keel_metrics_databases_shown")).isEqualTo(3);
        assertThat(OperationsServerTest.metric(body, "keel_databases_followed")).isEqualTo(50);
        assertThat(OperationsServerTest.metric(body, "keel_fleet_replica_lag_bytes")).isEqualTo(2 * 4120);
        assertThat(body).contains("litestream_db_size{db=\"/data/db0.db\"}", "litestream_db_size{db=\"/data/db1.db\"}");
        assertThat(body.split("\nlitestream_db_size\\{")).hasSize(1 + 3);
        assertThat(scrape(s, new MetricsDetail(0))).doesNotContain("litestream_db_size{");
        assertThat(scrape(s, MetricsDetail.ALL).split("\nlitestream_db_size\\{")).hasSize(1 + 50);
    }

    @Test
    void noSecretReachesMetricsOrThePage() throws IOException {
        FleetState s = new FleetState(Redactor.URLS.with(List.of("hunter2-secret")));
        Path db = Path.of("/data/a.db");
        s.databaseFollowed(db, null, List.of(new FollowedReplica("s3", "s3", "s3://AKIAID:hunter2-secret@minio:9000/bkt", null)));
        s.syncFailed(db, "s3", new java.io.IOException("PUT https://u:pw-in-url@minio/bkt failed; key hunter2-secret refused"));
        String json = new String(StatusJson.render(s.views(Duration.ofMinutes(1)), StatusQuery.parse(""), 60), StandardCharsets.UTF_8);
        assertThat(json).contains("failing").doesNotContain("hunter2-secret").doesNotContain("pw-in-url");
        assertThat(scrape(s, MetricsDetail.ALL)).doesNotContain("hunter2-secret");
    }

    @Test
    void generationCausesAreBounded() {
        assertThat(GenerationCause.of("no shadow WAL to continue (first run, or the local state in /x is gone)")).isEqualTo("no_shadow_wal");
        assertThat(GenerationCause.of("the WAL was restarted by a checkpoint Keel did not run (another process, or while Keel was stopped)"))
                .isEqualTo("external_checkpoint");
        assertThat(GenerationCause.of("replica s3 fell more than 1024 bytes of WAL behind")).isEqualTo("backlog_limit");
        assertThat(GenerationCause.of("the database file was replaced by another file")).isEqualTo("database_replaced");
        assertThat(GenerationCause.of("something new")).isEqualTo("other");
    }
}
