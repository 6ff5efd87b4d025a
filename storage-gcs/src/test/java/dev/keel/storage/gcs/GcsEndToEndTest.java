package dev.keel.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.GcsEmulator;
import dev.keel.testing.Litestream;
import dev.keel.testing.ReplicationScenario;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keel and Litestream 0.3.13 against the Cloud Storage emulator on 127.0.0.1: Keel replicates while the
 * application writes and both restore the result; Keel restores what Litestream wrote; 503 answers and a
 * hung service are retried until the service answers again; a broken credentials file and an
 * unreachable service are reported naming the replica.
 */
@Timeout(150)
class GcsEndToEndTest {
    @RegisterExtension
    static final GcsEmulator SERVER = new GcsEmulator();
    private static final String BUCKET = "keel-e2e";

    @TempDir
    Path dir;

    private static ReplicaStorage.Gcs freshStorage() {
        return SERVER.storage(BUCKET, "e2e-" + UUID.randomUUID());
    }

    private static Function<ReplicaConfig, ReplicaClient> clients(UnaryOperator<String> env, GcsOptions options) {
        return c -> new GcsReplicaClient((ReplicaStorage.Gcs) c.storage(), options, env);
    }

    private static ReplicaClient client(ReplicaStorage.Gcs storage) {
        return new GcsReplicaClient(storage, GcsOptions.defaults(), SERVER.environment());
    }

    /** Litestream's replica keys for the same bucket and path; the emulator comes from the environment. */
    private static String[] litestreamReplica(ReplicaStorage.Gcs storage) {
        return new String[] {"type: gcs", "bucket: " + storage.bucket(), "path: " + storage.path(), "sync-interval: 100ms"};
    }

    private static Map<String, String> litestreamEnv() {
        return Map.of("STORAGE_EMULATOR_HOST", SERVER.host());
    }

    @Test
    void keelReplicatesWhileTheAppWritesAndKeelAndLitestreamRestoreTheSource() throws Exception {
        ReplicaStorage.Gcs storage = freshStorage();
        Litestream.assertKeelReplicaRestoresInBoth(dir, storage, clients(SERVER.environment(), GcsOptions.defaults()),
                () -> client(storage), litestreamEnv(), litestreamReplica(storage));
    }

    @Test
    void keelRestoresWhatLitestreamReplicatedToGcs() throws Exception {
        ReplicaStorage.Gcs storage = freshStorage();
        Path db = dir.resolve("app.db");
        Litestream.replicateUnderLoad(dir, db, litestreamEnv(), 42, litestreamReplica(storage));
        try (ReplicaClient client = client(storage)) {
            assertThat(ReplicaCatalog.load(client).latestGeneration()).as("Litestream's replica").isPresent();
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("keel.db"));
        }
    }

    @Test
    void answersOf503AreRetriedUntilTheServiceRecovers() throws Exception {
        ReplicaStorage.Gcs storage = freshStorage();
        Path db = dir.resolve("app.db");
        try (FaultProxy proxy = new FaultProxy(SERVER.port())) {
            ReplicationScenario.replicateThroughFault(db, storage,
                    clients(GcsEmulator.environment("127.0.0.1:" + proxy.port()), GcsOptions.defaults()),
                    () -> proxy.http503(40), proxy::pass);
            assertThat(proxy.errorsSent()).as("503 answers sent").isGreaterThan(2);
        }
        try (ReplicaClient client = client(storage)) {
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("restored.db"));
        }
    }

    @Test
    void hungServiceTimesOutAndReplicationResumes() throws Exception {
        ReplicaStorage.Gcs storage = freshStorage();
        Path db = dir.resolve("app.db");
        GcsOptions fast = GcsOptions.defaults().withMaxTries(2).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (FaultProxy proxy = new FaultProxy(SERVER.port())) {
            ReplicationScenario.replicateThroughFault(db, storage,
                    clients(GcsEmulator.environment("127.0.0.1:" + proxy.port()), fast), proxy::hang, proxy::pass);
        }
        try (ReplicaClient client = client(storage)) {
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("restored.db"));
        }
    }

    @Test
    void aBrokenCredentialsFileIsRefusedNamingTheFileButNotItsContent() throws Exception {
        Path key = Files.writeString(dir.resolve("key.json"), "{\"type\": \"service_account\", \"private_key\": \"SECRET-PEM\"}");
        UnaryOperator<String> env = name -> name.equals("GOOGLE_APPLICATION_CREDENTIALS") ? key.toString() : null;
        assertThatThrownBy(() -> new GcsReplicaClient(freshStorage(), GcsOptions.defaults(), env))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains(key.toString()).contains("GOOGLE_APPLICATION_CREDENTIALS");
                    assertThat(e.describe() + e.hint()).doesNotContain("SECRET-PEM");
                    assertThat(e.hint()).contains("service account key file");
                });
        UnaryOperator<String> missing = name -> name.equals("GOOGLE_APPLICATION_CREDENTIALS") ? dir.resolve("none.json").toString() : null;
        assertThatThrownBy(() -> new GcsReplicaClient(freshStorage(), GcsOptions.defaults(), missing))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.getMessage()).contains("cannot be read"));
    }

    @Test
    void anUnreachableServiceIsReportedAsANetworkFailureNamingTheReplica() throws Exception {
        ReplicaStorage.Gcs storage = freshStorage();
        int closed;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        GcsOptions fast = GcsOptions.defaults().withMaxTries(1).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (ReplicaClient client = new GcsReplicaClient(storage, fast, GcsEmulator.environment("127.0.0.1:" + closed))) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.subject()).isEqualTo(storage.describe());
                assertThat(e.getMessage()).contains("cannot reach http://127.0.0.1:" + closed);
                assertThat(e.getCause()).isInstanceOf(ConnectException.class);
                assertThat(e.hint()).contains("STORAGE_EMULATOR_HOST");
            });
        }
    }
}
