package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ErrorCode;
import dev.keel.replication.restore.DatabaseRestoreOutcome;
import dev.keel.replication.restore.DatabaseRestoreOutcome.Status;
import dev.keel.replication.restore.FleetRestore;
import dev.keel.replication.restore.FleetRestoreOptions;
import dev.keel.replication.restore.FleetRestoreReport;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.ReplicatedFleet;
import dev.keel.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A fleet Keel replicated to a real S3 server (s3proxy on 127.0.0.1), restored from its prefix in one go. */
@Timeout(120)
class S3FleetRestoreTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-fleet";

    @TempDir
    Path dir;

    @Test
    void restoresEveryDatabaseBelowAnS3PrefixAndRefusesAnEscapingName() throws Exception {
        SERVER.createBucket(BUCKET);
        String prefix = "fleet-" + UUID.randomUUID();
        List<String> paths = ReplicatedFleet.nestedPaths(8);
        Map<String, List<String>> expected = ReplicatedFleet.write(dir.resolve("source"), paths,
                p -> SERVER.storage(BUCKET, prefix + "/" + p));
        ReplicaStorage.S3 storage = SERVER.storage(BUCKET, prefix);
        Path out = dir.resolve("out");
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            // A copy of a real database's objects under a name that climbs out of the output directory on Windows
            // (s3proxy's file store rejects "..", which the listing tests cover).
            for (ObjectInfo o : client.list(paths.get(0) + "/")) {
                byte[] bytes;
                try (var in = client.open(o.key())) {
                    bytes = in.readAllBytes();
                }
                client.write("..\\escape.db/" + o.key().substring(paths.get(0).length() + 1), Payload.of(bytes));
            }
            FleetRestoreReport report = FleetRestore.restorePrefix(client, out, FleetRestoreOptions.defaults().withParallelism(4));
            DatabaseRestoreOutcome escape = report.databases().stream().filter(d -> d.database().contains("escape")).findFirst().orElseThrow();
            assertThat(escape.status()).isEqualTo(Status.FAILED);
            assertThat(escape.failure().code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(escape.reason()).contains("backslash");
            assertThat(report.count(Status.RESTORED)).isEqualTo(paths.size());
            assertThat(report.worstFailure()).contains(ErrorCode.BAD_INPUT);
        }
        for (String p : paths) assertThat(ReplicatedFleet.rows(out.resolve(p))).as(p).isEqualTo(expected.get(p));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("source", "out");
        }
    }
}
