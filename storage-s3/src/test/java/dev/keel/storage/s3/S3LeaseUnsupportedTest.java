package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.LeaseSettings;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ConditionalObjects;
import dev.keel.replication.spi.ForwardingReplicaClient;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.LogCapture;
import dev.keel.testing.ReplicationScenario;
import dev.keel.testing.S3TestServer;
import dev.keel.testing.WriterLoad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 server that ignores conditional writes (older MinIO, some gateways) cannot hold a lease: with
 * {@code lease: auto} the replica runs without one and says so once; with {@code lease: on} the start
 * fails as bad input. The server is the real s3proxy behind a client that drops the conditions.
 */
@Timeout(60)
class S3LeaseUnsupportedTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-lease-unsupported";

    @TempDir
    Path dir;

    @BeforeAll
    static void createBucket() {
        SERVER.createBucket(BUCKET);
    }

    @Test
    void withLeaseAutoTheReplicaRunsWithoutALeaseAndOneWarningSaysWhyAndWhatToDo() throws Exception {
        ReplicaStorage.S3 storage = storage();
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        DatabaseConfig config = config(db, storage, LeaseSettings.Mode.AUTO);
        try (LogCapture logs = LogCapture.start()) {
            try (Replicator r = ReplicationScenario.start(config, ignoringConditions());
                 WriterLoad writers = WriterLoad.start(db, 1, Duration.ofMillis(5), 7)) {
                ReplicationScenario.awaitFirstSnapshot(r, db);
                Thread.sleep(500);
            }
            String text = logs.text();
            assertThat(text).contains("WARN").contains("replica " + ReplicationScenario.REPLICA)
                    .contains("ignores conditional writes").contains("without a lease").contains("lease: off");
            assertThat(text.split("ignores conditional writes", -1)).as("one warning:\n" + text).hasSize(2);
        }
        try (ReplicaClient client = new S3ReplicaClient(storage)) {
            assertThat(client.list("")).noneMatch(o -> o.key().equals("keel-lease"));
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("restored.db"));
        }
    }

    @Test
    void withLeaseOnTheStartFailsAsBadInputNamingTheReplicaAndNothingIsWritten() throws Exception {
        ReplicaStorage.S3 storage = storage();
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        assertThatThrownBy(() -> ReplicationScenario.start(config(db, storage, LeaseSettings.Mode.ON), ignoringConditions()).close())
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("replica " + ReplicationScenario.REPLICA).contains("ignores conditional writes");
                    assertThat(e.hint()).contains("lease: off");
                });
        try (ReplicaClient client = new S3ReplicaClient(storage)) {
            assertThat(client.list("generations/")).isEmpty();
        }
    }

    private static ReplicaStorage.S3 storage() {
        return new ReplicaStorage.S3(BUCKET, "lease-" + UUID.randomUUID(), "us-east-1", SERVER.endpoint(), true, false,
                SERVER.accessKeyId(), SERVER.secretAccessKey());
    }

    private static DatabaseConfig config(Path db, ReplicaStorage.S3 storage, LeaseSettings.Mode mode) {
        DatabaseConfig base = ReplicationScenario.database(db, storage);
        ReplicaConfig replica = base.replicas().get(0).withLease(new LeaseSettings(mode, Duration.ofSeconds(30), false));
        return new DatabaseConfig(db, null, base.monitorInterval(), base.checkpointInterval(), base.minCheckpointPageCount(),
                base.maxCheckpointPageCount(), List.of(replica));
    }

    /** The real client, whose lease requests go to s3proxy through an S3 client that drops If-None-Match and If-Match. */
    private static Function<ReplicaConfig, ReplicaClient> ignoringConditions() {
        return c -> {
            ReplicaStorage.S3 storage = (ReplicaStorage.S3) c.storage();
            S3ReplicaClient real = new S3ReplicaClient(storage);
            S3Client s3 = S3ClientFactory.create(storage, S3Options.defaults(), name -> null);
            S3Client ignoring = new PutFaultClient(s3, (client, request, body) -> // as a server that ignores the conditions behaves
                    client.putObject(request.toBuilder().ifNoneMatch(null).ifMatch(null).build(), body));
            String prefix = storage.path() + "/";
            return new ForwardingReplicaClient(real) {
                @Override
                public Optional<ConditionalObjects> conditionalObjects() {
                    return Optional.of(new S3ConditionalObjects(() -> ignoring, storage.bucket(), key -> prefix + key,
                            real.describe(), dev.keel.core.Redactor.URLS, new S3ReplicaClient.ConditionalSupport()));
                }

                @Override
                public void close() throws java.io.IOException {
                    s3.close();
                    super.close();
                }
            };
        };
    }
}
