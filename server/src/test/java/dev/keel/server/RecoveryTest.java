package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replica that fails and comes back: failing, not ready, then ok and ready again, over real HTTP. */
class RecoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aReplicaThatComesBackIsOkAndReadyAgain(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("app.db");
        try (RunningFleet fleet = new RunningFleet(dir, List.of(db),
                new ServerOptions(ListenAddress.parse("127.0.0.1:0"), Duration.ofSeconds(2), null, null))) {
            RunningFleet.write(db, 3);
            RunningFleet.await("ready", WAIT, () -> status(fleet, "/readyz") == 200 ? null : "not ready");
            fleet.clients.get(db).offline(true);
            RunningFleet.write(db, 3);
            RunningFleet.await("failing and not ready", WAIT, () -> state(fleet).equals("failing")
                    && status(fleet, "/readyz") == 503 ? null : state(fleet));
            fleet.clients.get(db).offline(false);
            RunningFleet.await("ok and ready again", WAIT, () -> state(fleet).equals("ok")
                    && status(fleet, "/readyz") == 200 ? null : state(fleet));
            String metrics = OperationsServerTest.get(fleet.url("/metrics")).body();
            assertThat(OperationsServerTest.metric(metrics, "keel_replica_failing{db=\"" + db + "\",name=\"remote\"}")).isZero();
            assertThat(OperationsServerTest.metric(metrics, "keel_replica_lag_bytes{db=\"" + db + "\",name=\"remote\"}")).isZero();
        }
    }

    private static int status(RunningFleet fleet, String path) throws Exception {
        return OperationsServerTest.get(fleet.url(path)).statusCode();
    }

    private static String state(RunningFleet fleet) throws Exception {
        HttpResponse<String> r = OperationsServerTest.get(fleet.url("/api/databases"));
        return new ObjectMapper().readTree(r.body()).get("databases").get(0).get("state").asText();
    }
}
