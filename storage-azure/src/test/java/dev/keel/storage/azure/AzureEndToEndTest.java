package dev.keel.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.AzuriteServer;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.LogCapture;
import dev.keel.testing.ReplicationScenario;
import dev.keel.testing.WriterLoad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keel against a real Azure Blob service (Azurite on 127.0.0.1): replication while the application
 * writes, restored equal to the source; and replication through an outage (Azurite stopped for
 * {@code -Dkeel.test.outage.seconds}, default 6), 503 answers and a hung service, which resumes by
 * itself and loses nothing; a wrong key or a missing container stops the start naming the replica.
 */
@Timeout(150)
class AzureEndToEndTest {
    @RegisterExtension
    static final AzuriteServer SERVER = new AzuriteServer();
    private static final String CONTAINER = "keel-e2e";
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("keel.test.outage.seconds", 6));
    private static final Function<ReplicaConfig, ReplicaClient> PRODUCTION = c -> ReplicaClients.open(c.storage());

    @TempDir
    Path dir;

    @BeforeAll
    static void createBucket() {
        SERVER.createContainer(CONTAINER); // the server itself is started and stopped by the extension
    }

    private static String path() {
        return "e2e-" + UUID.randomUUID();
    }

    /** The container reached through {@code endpoint} (Azurite itself or a proxy in front of it). */
    private static ReplicaStorage.Azure via(String endpoint, String path) {
        return new ReplicaStorage.Azure(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY, null, CONTAINER, path, endpoint);
    }

    private void assertRestoresToSource(Path db, String path) throws Exception {
        try (ReplicaClient client = ReplicaClients.open(SERVER.storage(CONTAINER, path))) {
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("restored.db"));
        }
    }

    /** Azurite killed with SIGKILL loses blobs it acknowledged: the replica starts a new generation, the restore has no gap. */
    @Test
    void aSegmentAzuriteLostWhileDownStartsANewGenerationAndTheRestoreHasEveryRow() throws Exception {
        String path = path();
        Path db = dir.resolve("app.db");
        ReplicationScenario.LostWrite lost;
        try (LogCapture logs = LogCapture.start()) {
            lost = ReplicationScenario.replicateThroughLostWrite(db, SERVER.storage(CONTAINER, path), PRODUCTION);
            // the log says after the fact what was missing and that a new generation was started
            assertThat(logs.text()).contains("the storage lost " + lost.key() + " of replica " + ReplicationScenario.REPLICA)
                    .contains("starting a new generation with a snapshot")
                    .contains("new generation " + lost.after().generation() + ": the storage lost " + lost.key())
                    .contains("caught up: the replica holds everything up to " + lost.after().generation());
        }
        assertRestoresToSource(db, path);
        assertThat(lost.after().generation()).as("a new generation after losing " + lost.key())
                .isNotEqualTo(lost.before().generation());
    }

    @Test
    void keelReplicatesWhileTheAppWritesAndRestoresTheSource() throws Exception {
        String path = path();
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        try (Replicator r = ReplicationScenario.start(ReplicationScenario.database(db, SERVER.storage(CONTAINER, path)), PRODUCTION);
             WriterLoad writers = WriterLoad.start(db, 3, Duration.ofMillis(3), 3)) {
            Thread.sleep(4000);
            assertThat(writers.commits()).isGreaterThan(100);
        }
        try (ReplicaClient client = ReplicaClients.open(SERVER.storage(CONTAINER, path))) {
            var catalog = ReplicaCatalog.load(client);
            var generation = catalog.latestGeneration().orElseThrow().generation();
            assertThat(catalog.walSegments(generation).stream().map(w -> w.index()).distinct().count())
                    .as("WAL indexes in the replica (checkpoints happened while writing)").isGreaterThan(2);
        }
        assertRestoresToSource(db, path);
    }

    @Test
    void serviceDownDuringWritesResumesByItselfAndLosesNothing() throws Exception {
        String path = path();
        Path db = dir.resolve("app.db");
        try (LogCapture logs = LogCapture.start()) {
            ReplicationScenario.replicateThroughOutage(db, SERVER.storage(CONTAINER, path), PRODUCTION, SERVER::stop, SERVER::start, OUTAGE);
            assertThat(logs.text()).contains("failed, will retry").contains("works again").doesNotContain(AzuriteServer.ACCOUNT_KEY);
        }
        assertRestoresToSource(db, path);
    }

    @Test
    void answersOf503AreRetriedUntilTheServiceRecovers() throws Exception {
        String path = path();
        Path db = dir.resolve("app.db");
        try (FaultProxy proxy = new FaultProxy(SERVER.port())) {
            ReplicationScenario.replicateThroughFault(db, via(proxy.httpEndpoint() + "/" + AzuriteServer.ACCOUNT, path), PRODUCTION,
                    () -> proxy.http503(40), proxy::pass);
            assertThat(proxy.errorsSent()).as("503 answers sent").isGreaterThan(2);
        }
        assertRestoresToSource(db, path);
    }

    @Test
    void hungServiceTimesOutAndReplicationResumes() throws Exception {
        String path = path();
        Path db = dir.resolve("app.db");
        AzureOptions fast = AzureOptions.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)).withMaxTries(2);
        try (FaultProxy proxy = new FaultProxy(SERVER.port())) {
            ReplicationScenario.replicateThroughFault(db, via(proxy.httpEndpoint() + "/" + AzuriteServer.ACCOUNT, path),
                    c -> new AzureReplicaClient((ReplicaStorage.Azure) c.storage(), fast, n -> null), proxy::hang, proxy::pass);
        }
        assertRestoresToSource(db, path);
    }

    @Test
    void wrongKeyAndMissingContainerStopTheStartNamingTheReplica() throws Exception {
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        String wrongKey = Base64.getEncoder().encodeToString(("wrong-" + UUID.randomUUID()).getBytes());
        var wrong = new ReplicaStorage.Azure(AzuriteServer.ACCOUNT, wrongKey, null, CONTAINER, "creds", SERVER.endpoint());
        var missing = SERVER.storage("no-such-container", "app");
        try (LogCapture logs = LogCapture.start()) {
            assertThatThrownBy(() -> ReplicationScenario.start(ReplicationScenario.database(db, wrong), PRODUCTION))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.subject()).isEqualTo(wrong.describe());
                        assertThat(e.describe() + e.hint()).doesNotContain(wrongKey);
                    });
            assertThatThrownBy(() -> ReplicationScenario.start(ReplicationScenario.database(db, missing), PRODUCTION))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.subject()).isEqualTo(missing.describe());
                        assertThat(e.getMessage()).contains("no-such-container");
                    });
            assertThat(logs.text()).doesNotContain(wrongKey).doesNotContain(AzuriteServer.ACCOUNT_KEY);
        }
    }
}
