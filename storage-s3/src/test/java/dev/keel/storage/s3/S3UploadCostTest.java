package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.FaultyReplicaClient.Operation;
import dev.keel.testing.S3TestServer;
import dev.keel.testing.UploadCost;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests a steadily written database costs on S3 with default settings: one PUT per sync that has
 * new WAL, and no LIST, GET or DELETE in steady state (the replica's position is kept in memory).
 * {@code bench/run storage.UploadCostBench} measures the same over a longer window.
 */
@Timeout(60)
class S3UploadCostTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();

    @TempDir
    Path dir;

    @BeforeAll
    static void createBucket() {
        SERVER.createBucket("keel-cost"); // the server itself is started and stopped by the extension
    }

    @Test
    void steadyStateMakesOnePutPerWriteAndNoList() throws Exception {
        UploadCost.Result result = UploadCost.measure(dir.resolve("app.db"), SERVER.storage("keel-cost", "cost"),
                Duration.ofSeconds(3), Duration.ofSeconds(10));
        System.out.println("upload cost: " + result);
        assertThat(result.requests().get(Operation.LIST)).as("LIST in steady state").isZero();
        assertThat(result.requests().get(Operation.GET)).as("GET in steady state").isZero();
        assertThat(result.requests().get(Operation.DELETE)).as("DELETE in steady state").isZero();
        // At most one PUT per write (plus a tick at each end of the window); fewer when a loaded machine
        // delays a sync so that two writes share one segment, which costs less, not more.
        assertThat(result.requests().get(Operation.PUT)).as("PUT: one WAL segment per sync with new writes")
                .isBetween(result.writes() / 2, result.writes() + 2);
    }
}
