package dev.keel.storage.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.LogCapture;
import dev.keel.testing.ReplicationScenario;
import dev.keel.testing.SftpTestServer;
import dev.keel.testing.WriterLoad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication to a real SFTP server that goes down, hangs, is slow, or refuses the password:
 * replication resumes by itself, loses nothing, and never prints the password. The outage lasts
 * {@code -Dkeel.test.outage.seconds} (default 6).
 */
@Timeout(150)
class SftpReplicationFaultTest {
    @RegisterExtension
    static final SftpTestServer SERVER = new SftpTestServer();
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("keel.test.outage.seconds", 6));
    private static final Function<ReplicaConfig, ReplicaClient> PRODUCTION = c -> ReplicaClients.open(c.storage());

    @TempDir
    Path dir;

    private static String path() {
        return "/faults/" + UUID.randomUUID();
    }

    /** The same directory reached through {@code port} (the server itself or a proxy in front of it). */
    private static ReplicaStorage.Sftp via(int port, String path) {
        return new ReplicaStorage.Sftp(SERVER.host(), port, SERVER.user(), SERVER.password(), null, path, SERVER.hostKeyLine());
    }

    private void assertRestoresToSource(Path db, String path) throws Exception {
        try (ReplicaClient client = ReplicaClients.open(via(SERVER.port(), path))) {
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("restored.db"));
        }
    }

    @Test
    void serverDownDuringWritesResumesByItselfAndLosesNothing() throws Exception {
        String path = path();
        Path db = dir.resolve("app.db");
        try (LogCapture logs = LogCapture.start()) {
            ReplicationScenario.replicateThroughOutage(db, via(SERVER.port(), path), PRODUCTION, SERVER::stop, SERVER::start, OUTAGE);
            assertThat(logs.text()).contains("failed, will retry").contains("works again").doesNotContain(SERVER.password());
        }
        assertRestoresToSource(db, path);
    }

    @Test
    void startedWhileTheServerIsDownReplicationStartsAnywayAndUploadsOnceItIsBack() throws Exception {
        String path = path();
        Path db = dir.resolve("app.db");
        try (LogCapture logs = LogCapture.start()) {
            ReplicationScenario.startDuringOutage(db, via(SERVER.port(), path), PRODUCTION, SERVER::stop, SERVER::start);
            assertThat(logs.text()).contains("cannot be reached at start").contains("works again").doesNotContain(SERVER.password());
        }
        assertRestoresToSource(db, path);
    }

    @Test
    void hungServerTimesOutAndReplicationResumes() throws Exception {
        String path = path();
        Path db = dir.resolve("app.db");
        SftpOptions fast = SftpOptions.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (FaultProxy proxy = new FaultProxy(SERVER.port())) {
            ReplicationScenario.replicateThroughFault(db, via(proxy.port(), path),
                    c -> new SftpReplicaClient((ReplicaStorage.Sftp) c.storage(), fast), proxy::hang, proxy::pass);
        }
        assertRestoresToSource(db, path);
    }

    @Test
    void slowServerFallsBehindAndCatchesUp() throws Exception {
        String path = path();
        Path db = dir.resolve("app.db");
        try (FaultProxy proxy = new FaultProxy(SERVER.port())) {
            // never healed: the replica must catch up while every answer is still delayed
            ReplicationScenario.replicateThroughFault(db, via(proxy.port(), path), PRODUCTION, () -> proxy.slow(Duration.ofMillis(30)), () -> { });
        }
        assertRestoresToSource(db, path);
    }

    @Test
    void wrongPasswordStopsTheStartNamingTheReplica() throws Exception {
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        String wrong = "wrong-" + UUID.randomUUID();
        var storage = new ReplicaStorage.Sftp(SERVER.host(), SERVER.port(), SERVER.user(), wrong, null, path(), SERVER.hostKeyLine());
        try (LogCapture logs = LogCapture.start()) {
            assertThatThrownBy(() -> ReplicationScenario.start(ReplicationScenario.database(db, storage), PRODUCTION))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.subject()).isEqualTo(storage.describe());
                        assertThat(e.describe() + e.hint()).doesNotContain(wrong);
                    });
            assertThat(logs.text()).doesNotContain(wrong);
        }
    }
}
