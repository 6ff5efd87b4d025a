package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
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
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication to a real S3 server that goes down, answers 503, hangs, is slow, or refuses the
 * credentials: replication resumes by itself, loses nothing, keeps the local WAL bounded, and never
 * prints the secret. The outage lasts {@code -Dkeel.test.outage.seconds} (default 6; the behaviour
 * does not depend on the length, because the shadow WAL keeps everything until it is uploaded).
 */
@Timeout(150)
class S3ReplicationFaultTest {
    private static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-replication-faults";
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("keel.test.outage.seconds", 6));
    /** The most the real WAL may hold: the RESTART threshold plus what writers add while a checkpoint runs. */
    private static final long WAL_BOUND = 2L * ReplicationScenario.MAX_CHECKPOINT_PAGES * (4096 + 24) + 32;
    private static final Function<ReplicaConfig, ReplicaClient> PRODUCTION = c -> ReplicaClients.open(c.storage());

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        SERVER.start().createBucket(BUCKET);
    }

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    private static ReplicaStorage.S3 storage(String endpoint) {
        return new ReplicaStorage.S3(BUCKET, "faults-" + UUID.randomUUID(), "us-east-1", endpoint, true, false,
                SERVER.accessKeyId(), SERVER.secretAccessKey());
    }

    @Test
    void serverDownDuringWritesResumesByItselfLosesNothingAndKeepsTheWalBounded() throws Exception {
        ReplicaStorage.S3 storage = storage(SERVER.endpoint());
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        long maxWal = 0;
        long maxLocal = 0;
        long shadowFilesDuringOutage = 0;
        try (LogCapture logs = LogCapture.start()) {
            try (Replicator r = ReplicationScenario.start(ReplicationScenario.database(db, storage), PRODUCTION)) {
                Position beforeOutage;
                try (WriterLoad writers = WriterLoad.start(db, 2, Duration.ofMillis(4), 7)) {
                    Thread.sleep(1000);
                    SERVER.stop();
                    try {
                        Thread.sleep(300);
                        beforeOutage = r.replicaPosition(db, ReplicationScenario.REPLICA);
                        long end = System.nanoTime() + OUTAGE.toNanos();
                        while (System.nanoTime() < end) {
                            maxWal = Math.max(maxWal, ReplicationScenario.walBytes(db));
                            maxLocal = Math.max(maxLocal, ReplicationScenario.localStateBytes(db));
                            shadowFilesDuringOutage = Math.max(shadowFilesDuringOutage, ReplicationScenario.shadowIndexFiles(db));
                            Thread.sleep(100);
                        }
                        assertThat(r.replicaPosition(db, ReplicationScenario.REPLICA)).as("nothing acknowledged while down")
                                .isEqualTo(beforeOutage);
                    } finally {
                        SERVER.start();
                    }
                    Thread.sleep(1000);
                }
                ReplicationScenario.awaitCaughtUp(r, db, Duration.ofSeconds(30));
                assertThat(ReplicationScenario.shadowIndexFiles(db)).as("shadow WAL after catching up: only the current index")
                        .isEqualTo(1);
                assertThat(r.replicaPosition(db, ReplicationScenario.REPLICA).index()).isGreaterThan(beforeOutage.index());
            }
            System.out.printf("outage %s: real WAL at most %d bytes (bound %d), shadow WAL %d index files and %d bytes at most%n",
                    OUTAGE, maxWal, WAL_BOUND, shadowFilesDuringOutage, maxLocal);
            assertThat(maxWal).as("real WAL during the outage").isLessThanOrEqualTo(WAL_BOUND);
            assertThat(shadowFilesDuringOutage).as("checkpoints went on while the replica was down").isGreaterThan(1);
            assertThat(logs.text()).contains("failed, will retry").contains("works again").doesNotContain(SERVER.secretAccessKey());
        }
        try (ReplicaClient client = ReplicaClients.open(storage)) {
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

    /** Writers run; the fault starts, lasts three seconds and ends; the replica then catches up by itself and restores to the source. */
    private void runThroughFault(ReplicaStorage.S3 storage, Function<ReplicaConfig, ReplicaClient> clients, Runnable fault,
                                 Runnable heal) throws Exception {
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        try (LogCapture logs = LogCapture.start()) {
            try (Replicator r = ReplicationScenario.start(ReplicationScenario.database(db, storage), clients)) {
                try (WriterLoad writers = WriterLoad.start(db, 2, Duration.ofMillis(5), 11)) {
                    Thread.sleep(700);
                    fault.run();
                    Thread.sleep(3000);
                    heal.run();
                    Thread.sleep(700);
                }
                ReplicationScenario.awaitCaughtUp(r, db, Duration.ofSeconds(40));
            }
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
