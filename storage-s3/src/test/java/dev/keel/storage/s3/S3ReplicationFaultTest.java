package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.LogCapture;
import dev.keel.testing.ReplicationScenario;
import dev.keel.testing.S3TestServer;
import dev.keel.testing.WriterLoad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication to a real S3 server that goes down, answers 503, hangs, is slow, or refuses the
 * credentials: replication resumes by itself, loses nothing, keeps the local WAL bounded, and never
 * prints the secret. The outage lasts {@code -Dkeel.test.outage.seconds} (default 6; the behaviour
 * does not depend on the length, because the shadow WAL keeps everything until it is uploaded).
 */
@Timeout(150)
class S3ReplicationFaultTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-replication-faults";
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("keel.test.outage.seconds", 6));
    private static final Function<ReplicaConfig, ReplicaClient> PRODUCTION = c -> ReplicaClients.open(c.storage());

    @TempDir
    Path dir;

    @BeforeAll
    static void createBucket() {
        SERVER.createBucket(BUCKET); // the server itself is started and stopped by the extension
    }

    private static ReplicaStorage.S3 storage(String endpoint) {
        return new ReplicaStorage.S3(BUCKET, "faults-" + UUID.randomUUID(), "us-east-1", endpoint, true, false,
                SERVER.accessKeyId(), SERVER.secretAccessKey());
    }

    @Test
    void serverDownDuringWritesResumesByItselfLosesNothingAndKeepsTheWalBounded() throws Exception {
        ReplicaStorage.S3 storage = storage(SERVER.endpoint());
        Path db = dir.resolve("app.db");
        try (LogCapture logs = LogCapture.start()) {
            ReplicationScenario.replicateThroughOutage(db, storage, PRODUCTION, SERVER::stop, SERVER::start, OUTAGE);
            assertThat(logs.text()).contains("failed, will retry").contains("works again")
                    .contains("caught up: the replica holds everything up to").doesNotContain(SERVER.secretAccessKey());
        }
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("restored.db"));
        }
    }

    @Test
    void startedWhileTheServerIsDownReplicationStartsAnywayAndUploadsOnceItIsBack() throws Exception {
        ReplicaStorage.S3 storage = storage(SERVER.endpoint());
        Path db = dir.resolve("app.db");
        try (LogCapture logs = LogCapture.start()) {
            ReplicationScenario.startDuringOutage(db, storage, PRODUCTION, SERVER::stop, SERVER::start);
            assertThat(logs.text()).contains("cannot be reached at start").contains("works again")
                    .contains("caught up: the replica holds everything up to")
                    .doesNotContain(SERVER.secretAccessKey());
        }
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("restored.db"));
        }
    }

    @Test
    void aServerThatAnswersAndRefusesTheCredentialsStillStopsTheStart() throws Exception {
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        var wrong = new ReplicaStorage.S3(BUCKET, "refused", "us-east-1", SERVER.endpoint(), true, false, SERVER.accessKeyId(), "wrong");
        assertThatThrownBy(() -> ReplicationScenario.start(ReplicationScenario.database(db, wrong), PRODUCTION).close())
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("refused the credentials");
                });
    }

    @Test
    void pastTheShadowBacklogBoundTheReplicaDropsItsBacklogAndStartsOverWithASnapshot() throws Exception {
        long bound = 2L << 20;
        ReplicaStorage.S3 storage = storage(SERVER.endpoint());
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        long maxLocal = 0;
        java.time.Instant serverBack;
        try (Replicator r = EngineOptions.DEFAULT.withClients(PRODUCTION).start(Replicator.configure()
                .databases(List.of(ReplicationScenario.database(db, storage))).maxShadowBacklog(bound))) {
            try (WriterLoad writers = WriterLoad.start(db, 2, Duration.ofMillis(4), 13)) {
                ReplicationScenario.awaitFirstSnapshot(r, db);
                Thread.sleep(1000);
                SERVER.stop();
                try {
                    long end = System.nanoTime() + OUTAGE.toNanos();
                    while (System.nanoTime() < end) {
                        maxLocal = Math.max(maxLocal, ReplicationScenario.localStateBytes(db));
                        Thread.sleep(100);
                    }
                } finally {
                    SERVER.start();
                    serverBack = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
                }
                Thread.sleep(1000);
            }
            ReplicationScenario.awaitCaughtUp(r, db, Duration.ofSeconds(40));
        }
        System.out.printf("shadow backlog bound %d bytes: local state at most %d bytes during a %s outage%n", bound, maxLocal, OUTAGE);
        // The bound applies to pending WAL; on top come the current index and, once the backlog was
        // dropped, the snapshot being prepared for upload (at most the size of the database).
        assertThat(maxLocal).isLessThanOrEqualTo(bound + java.nio.file.Files.size(db) + 2 * ReplicationScenario.OutageReport.WAL_BOUND);
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            ReplicaCatalog catalog = ReplicaCatalog.load(client);
            Generation generation = catalog.latestGeneration().orElseThrow().generation();
            assertThat(catalog.snapshots(generation)).as("a new snapshot after the backlog was dropped")
                    .anyMatch(snapshot -> !snapshot.createdAt().isBefore(serverBack));
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("restored.db"));
        }
    }

    @Test
    void answersOf503AreRetriedUntilTheServerRecovers() throws Exception {
        try (FaultProxy proxy = new FaultProxy(SERVER.port())) {
            ReplicaStorage.S3 storage = storage(proxy.httpEndpoint());
            runThroughFault(storage, PRODUCTION, () -> proxy.http503(40), proxy::pass);
            assertThat(proxy.errorsSent()).as("503 answers sent").isGreaterThan(2);
        }
    }

    @Test
    void hungServerTimesOutAndReplicationResumesWhenItAnswersAgain() throws Exception {
        S3Options fast = S3Options.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)).withMaxAttempts(2);
        try (FaultProxy proxy = new FaultProxy(SERVER.port())) {
            ReplicaStorage.S3 storage = storage(proxy.httpEndpoint());
            runThroughFault(storage, c -> new S3ReplicaClient((ReplicaStorage.S3) c.storage(), fast, n -> null), proxy::hang, proxy::pass);
        }
    }

    @Test
    void slowServerFallsBehindAndCatchesUpWithoutLosingWrites() throws Exception {
        try (FaultProxy proxy = new FaultProxy(SERVER.port())) {
            ReplicaStorage.S3 storage = storage(proxy.httpEndpoint());
            // never healed: the replica must catch up while every answer is still delayed
            runThroughFault(storage, PRODUCTION, () -> proxy.slow(Duration.ofMillis(150)), () -> { });
        }
    }

    /** Writers run through the fault; then the replica restores to the source. */
    private void runThroughFault(ReplicaStorage.S3 storage, Function<ReplicaConfig, ReplicaClient> clients, Runnable fault,
                                 Runnable heal) throws Exception {
        Path db = dir.resolve("app.db");
        try (LogCapture logs = LogCapture.start()) {
            ReplicationScenario.replicateThroughFault(db, storage, clients, fault, heal);
            assertThat(logs.text()).doesNotContain(SERVER.secretAccessKey());
        }
        var direct = new ReplicaStorage.S3(BUCKET, storage.path(), "us-east-1", SERVER.endpoint(), true, false,
                SERVER.accessKeyId(), SERVER.secretAccessKey());
        try (ReplicaClient client = ReplicaClients.open(direct)) {
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("restored.db"));
        }
    }

    @Test
    void wrongCredentialsAndMissingBucketStopTheStartNamingTheReplica() throws Exception {
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        String wrongSecret = "wrong-secret-" + UUID.randomUUID();
        var wrong = new ReplicaStorage.S3(BUCKET, "creds", "us-east-1", SERVER.endpoint(), true, false, SERVER.accessKeyId(), wrongSecret);
        var missing = new ReplicaStorage.S3("no-such-bucket", "app", "us-east-1", SERVER.endpoint(), true, false,
                SERVER.accessKeyId(), SERVER.secretAccessKey());
        try (LogCapture logs = LogCapture.start()) {
            assertThatThrownBy(() -> ReplicationScenario.start(ReplicationScenario.database(db, wrong), PRODUCTION))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.subject()).isEqualTo(wrong.describe());
                        assertThat(e.getMessage()).contains("credentials");
                        assertThat(e.describe() + e.hint()).doesNotContain(wrongSecret);
                    });
            assertThatThrownBy(() -> ReplicationScenario.start(ReplicationScenario.database(db, missing), PRODUCTION))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.subject()).isEqualTo(missing.describe());
                        assertThat(e.getMessage()).contains("no-such-bucket");
                        assertThat(e.describe() + e.hint()).doesNotContain(SERVER.secretAccessKey());
                    });
            assertThat(logs.text()).doesNotContain(wrongSecret).doesNotContain(SERVER.secretAccessKey());
        }
    }
}
