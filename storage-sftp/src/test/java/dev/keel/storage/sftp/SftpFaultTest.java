package dev.keel.storage.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.internal.StorageOutage;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.ReplicaClientContract;
import dev.keel.testing.SftpTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the SFTP backend does with wrong credentials, untrusted host keys, and servers that go away or hang. */
@Timeout(60)
class SftpFaultTest {
    private static final SftpTestServer SERVER = new SftpTestServer();
    private static final SftpOptions FAST = SftpOptions.defaults().withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(3));

    @TempDir
    Path temp;

    @BeforeAll
    static void start() {
        SERVER.start();
    }

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    private static String path() {
        return "/faults/" + UUID.randomUUID();
    }

    private SftpOptions noKnownHosts() {
        return FAST.withKnownHosts(temp.resolve("known_hosts"));
    }

    @Test
    void wrongPasswordIsReportedWithoutTheSecret() {
        String wrong = "wrong-" + UUID.randomUUID();
        var settings = new ReplicaStorage.Sftp(SERVER.host(), SERVER.port(), SERVER.user(), wrong, null, path(), SERVER.hostKeyLine());
        try (var client = new SftpReplicaClient(settings, FAST)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).contains("refused the credentials for user keel");
                assertThat(e.subject()).isEqualTo(client.describe()).startsWith("sftp://keel@127.0.0.1");
                assertThat(e.hint()).contains("password");
                assertThat(e + client.describe()).doesNotContain(wrong);
            });
        }
    }

    @Test
    void unknownHostKeyIsRefusedWithItsFingerprintAndHowToTrustIt() {
        var settings = new ReplicaStorage.Sftp(SERVER.host(), SERVER.port(), SERVER.user(), SERVER.password(), null, path(), null);
        try (var client = new SftpReplicaClient(settings, noKnownHosts())) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).contains("host key SHA256:").contains("is not in");
                assertThat(e.hint()).contains("host-key: " + SERVER.hostKeyLine()).contains("known_hosts");
            });
            assertThatThrownBy(() -> client.list("")).isInstanceOf(IOException.class).hasMessageContaining("SHA256:");
        }
    }

    @Test
    void pinnedKeyThatDoesNotMatchIsRefused() throws Exception {
        String otherKey;
        try (SftpTestServer other = new SftpTestServer()) {
            otherKey = other.hostKeyLine();
        }
        var settings = new ReplicaStorage.Sftp(SERVER.host(), SERVER.port(), SERVER.user(), SERVER.password(), null, path(), otherKey);
        try (var client = new SftpReplicaClient(settings, FAST)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class,
                    e -> assertThat(e.getMessage()).contains("does not match the configured host-key"));
        }
    }

    @Test
    void malformedHostKeyIsBadInput() {
        var settings = new ReplicaStorage.Sftp(SERVER.host(), SERVER.port(), SERVER.user(), SERVER.password(), null, path(), "not a key");
        assertThatThrownBy(() -> new SftpReplicaClient(settings, FAST)).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.getMessage()).contains("host-key");
        });
    }

    @Test
    void knownHostsFileIsTrusted() throws IOException {
        Path knownHosts = Files.writeString(temp.resolve("known_hosts"), SERVER.knownHostsLine() + "\n");
        var settings = new ReplicaStorage.Sftp(SERVER.host(), SERVER.port(), SERVER.user(), SERVER.password(), null, path(), null);
        try (var client = new SftpReplicaClient(settings, FAST.withKnownHosts(knownHosts))) {
            client.verify();
            client.write("a", Payload.of(new byte[] {1}));
            assertThat(ReplicaClientContract.keys(client.list(""))).containsExactly("a");
        }
    }

    @Test
    void keyAuthenticationWorks() throws IOException {
        try (var client = new SftpReplicaClient(SERVER.keyStorage(path()), FAST)) {
            client.verify();
            client.write("k", Payload.of(new byte[] {2}));
            assertThat(ReplicaClientContract.readAll(client.open("k"))).containsExactly(2);
        }
    }

    @Test
    void pathThatIsAFileIsReported() throws IOException {
        String dir = path();
        try (var client = new SftpReplicaClient(SERVER.passwordStorage(dir), FAST)) {
            client.write("file", Payload.of(new byte[] {1}));
        }
        try (var client = new SftpReplicaClient(SERVER.passwordStorage(dir + "/file"), FAST)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.getMessage()).startsWith("cannot write to the replica directory");
                assertThat(e.subject()).endsWith("/file");
            });
        }
    }

    @Test
    void providerIsFoundByType() throws IOException {
        try (ReplicaClient client = ReplicaClients.open(SERVER.passwordStorage(path()))) {
            assertThat(client).isInstanceOf(SftpReplicaClient.class);
            client.verify();
        }
    }

    @Test
    void stoppedServerFailsFastAndRestartedServerWorksAgain() throws IOException {
        try (var client = new SftpReplicaClient(SERVER.passwordStorage(path()), FAST)) {
            client.write("before", Payload.of(new byte[] {1, 2, 3}));
            SERVER.stop();
            try {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.list("")).isInstanceOf(IOException.class);
                assertThatThrownBy(() -> client.write("during", Payload.of(new byte[] {4}))).isInstanceOf(IOException.class);
                assertThatThrownBy(client::verify).isInstanceOf(KeelException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            } finally {
                SERVER.start();
            }
            client.write("after", Payload.of(new byte[] {5}));
            assertThat(ReplicaClientContract.keys(client.list(""))).containsExactlyInAnyOrder("before", "after");
        }
    }

    @Test
    void noFailureCarriesThePassword() throws Exception {
        String password = "sftp-secret-" + UUID.randomUUID();
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (FaultProxy hung = new FaultProxy(SERVER.port()).hang()) {
            List<ReplicaStorage.Sftp> settings = List.of(
                    new ReplicaStorage.Sftp(SERVER.host(), SERVER.port(), SERVER.user(), password, null, path(), SERVER.hostKeyLine()),
                    new ReplicaStorage.Sftp(SERVER.host(), SERVER.port(), SERVER.user(), password, null, path(), null),
                    new ReplicaStorage.Sftp("127.0.0.1", closedPort, SERVER.user(), password, null, path(), SERVER.hostKeyLine()),
                    new ReplicaStorage.Sftp("127.0.0.1", hung.port(), SERVER.user(), password, null, path(), SERVER.hostKeyLine()));
            for (ReplicaStorage.Sftp s : settings) {
                try (var client = new SftpReplicaClient(s, noKnownHosts())) {
                    List<Throwable> failures = List.of(
                            org.assertj.core.api.Assertions.catchThrowable(client::verify),
                            org.assertj.core.api.Assertions.catchThrowable(() -> client.list("")),
                            org.assertj.core.api.Assertions.catchThrowable(() -> client.write("k", Payload.of(new byte[] {1}))),
                            org.assertj.core.api.Assertions.catchThrowable(() -> client.open("k").readAllBytes()));
                    for (Throwable failure : failures) {
                        assertThat(failure).as("%s", s).isNotNull();
                        for (Throwable t = failure; t != null; t = t.getCause()) {
                            assertThat(t.toString()).as("%s", t).doesNotContain(password);
                        }
                    }
                }
            }
        }
    }

    /**
     * The server killed during the SSH handshake (the outage soak found it: "Session is being closed", no
     * socket error in the causes) is an outage, so replication starts anyway; it used to stop the start.
     */
    @Test
    void aServerThatDiesDuringTheHandshakeIsAnOutageNotASettingToFix() throws Exception {
        try (java.net.ServerSocket dying = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!dying.isClosed()) {
                    try (java.net.Socket s = dying.accept()) {
                        s.setSoLinger(true, 0); // closed at once, as by a process that died
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            var settings = new ReplicaStorage.Sftp("127.0.0.1", dying.getLocalPort(), "u", "p", null, "x", SERVER.hostKeyLine());
            try (var client = new SftpReplicaClient(settings, FAST)) {
                assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.getMessage()).startsWith("cannot connect to 127.0.0.1:" + dying.getLocalPort());
                    assertThat(StorageOutage.isUnreachable(e)).as("classified as unreachable: %s", e).isTrue();
                });
            }
        }
    }

    @Test
    void hungServerTimesOutInsteadOfBlocking() throws Exception {
        // the real server behind a proxy that accepts connections and never answers
        try (FaultProxy hung = new FaultProxy(SERVER.port()).hang()) {
            var settings = new ReplicaStorage.Sftp("127.0.0.1", hung.port(), "u", "p", null, "x", SERVER.hostKeyLine());
            try (var client = new SftpReplicaClient(settings, FAST)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.list("")).isInstanceOf(IOException.class);
                assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class,
                        e -> assertThat(e.getMessage()).startsWith("cannot connect to 127.0.0.1:" + hung.port()));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            }
        }
    }
}
