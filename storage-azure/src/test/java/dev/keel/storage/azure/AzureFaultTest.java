package dev.keel.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.internal.StorageOutage;
import dev.keel.core.Redactor;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.AzuriteServer;
import dev.keel.testing.ReplicaClientContract;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the Azure backend does when the key, the container or the service is wrong, gone or stuck. */
@Timeout(90)
class AzureFaultTest {
    private static final AzuriteServer SERVER = new AzuriteServer();
    private static final String CONTAINER = "keel-faults";
    private static final AzureOptions FAST = AzureOptions.defaults()
            .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)).withMaxTries(2);

    @BeforeAll
    static void start() {
        SERVER.start().createContainer(CONTAINER);
    }

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    private static ReplicaStorage.Azure storage(String container, String key) {
        return new ReplicaStorage.Azure(AzuriteServer.ACCOUNT, key, null, container, "db-" + UUID.randomUUID(), SERVER.endpoint());
    }

    @Test
    void wrongAccountKeyIsReportedWithoutTheKey() {
        String wrongKey = Base64.getEncoder().encodeToString(("wrong-" + UUID.randomUUID()).getBytes());
        try (var client = new AzureReplicaClient(storage(CONTAINER, wrongKey), FAST, n -> null)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).contains("refused the credentials");
                assertThat(e.subject()).isEqualTo(client.describe()).contains(CONTAINER);
                assertThat(e.hint()).contains("account-key");
                assertThat(e + client.describe()).doesNotContain(wrongKey);
                assertThat(StorageOutage.isUnreachable(e)).as("a refusal is a setting to fix, not an outage").isFalse();
            });
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void readOnlySasTokenIsRefusedAtVerify() throws IOException {
        assertRefused(new BlobContainerSasPermission().setReadPermission(true).setListPermission(true), "write blobs");
    }

    @Test
    void sasTokenWithoutDeleteIsRefusedAtVerify() throws IOException {
        assertRefused(new BlobContainerSasPermission().setReadPermission(true).setListPermission(true).setWritePermission(true),
                "delete blobs");
    }

    private static void assertRefused(BlobContainerSasPermission permissions, String operation) throws IOException {
        String sas = containerWithKey().generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1), permissions));
        var settings = new ReplicaStorage.Azure(AzuriteServer.ACCOUNT, null, sas, CONTAINER, "db-" + UUID.randomUUID(), SERVER.endpoint());
        try (var client = new AzureReplicaClient(settings, FAST, n -> null)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).contains("refused the credentials to " + operation);
                assertThat(e.subject()).isEqualTo(client.describe());
                assertThat(e.hint()).contains("SAS token").contains("sp=rwdl");
                assertThat(e.toString()).doesNotContain(sas).doesNotContain(AzuriteServer.ACCOUNT_KEY);
            });
        }
    }

    @Test
    void verifyLeavesNoProbeBlob() throws IOException {
        var settings = storage(CONTAINER, AzuriteServer.ACCOUNT_KEY);
        try (var client = new AzureReplicaClient(settings, FAST, n -> null)) {
            client.verify();
        }
        List<String> names = new ArrayList<>();
        for (BlobItem item : containerWithKey().listBlobs(new ListBlobsOptions().setPrefix(settings.path() + "/"), null)) {
            names.add(item.getName());
        }
        assertThat(names).noneMatch(name -> name.contains(".keel-verify-"));
    }

    /** The test's own view of the container, signed with the account key: it makes SAS tokens and checks contents. */
    private static BlobContainerClient containerWithKey() {
        return new BlobServiceClientBuilder()
                .endpoint(SERVER.endpoint())
                .credential(new StorageSharedKeyCredential(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY))
                .httpClient(new JdkHttpClientBuilder().build())
                .serviceVersion(AzureClientFactory.SERVICE_VERSION)
                .buildClient()
                .getBlobContainerClient(CONTAINER);
    }

    @Test
    void missingContainerIsNamed() throws IOException {
        try (var client = new AzureReplicaClient(storage("no-such-container", AzuriteServer.ACCOUNT_KEY), FAST, n -> null)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).contains("container 'no-such-container' does not exist");
                assertThat(e.subject()).contains("no-such-container");
                assertThat(e.toString()).doesNotContain(AzuriteServer.ACCOUNT_KEY);
            });
        }
    }

    @Test
    void accountKeyComesFromTheEnvironment() throws IOException {
        var noKey = storage(CONTAINER, null);
        Map<String, String> env = Map.of("LITESTREAM_AZURE_ACCOUNT_KEY", AzuriteServer.ACCOUNT_KEY);
        try (var client = new AzureReplicaClient(noKey, FAST, env::get)) {
            client.verify();
            client.write("k", Payload.of(new byte[] {1}));
            assertThat(ReplicaClientContract.keys(client.list(""))).containsExactly("k");
        }
    }

    @Test
    void providerIsFoundByType() throws IOException {
        try (ReplicaClient client = ReplicaClients.open(storage(CONTAINER, AzuriteServer.ACCOUNT_KEY))) {
            assertThat(client).isInstanceOf(AzureReplicaClient.class);
            client.verify();
        }
    }

    @Test
    void stoppedServerFailsFastAndRestartedServerWorksAgain() throws IOException {
        try (var client = new AzureReplicaClient(storage(CONTAINER, AzuriteServer.ACCOUNT_KEY), FAST, n -> null)) {
            client.write("before", Payload.of(new byte[] {1, 2, 3}));
            SERVER.stop();
            try {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.list("")).isInstanceOf(IOException.class).hasMessageContaining("LIST");
                assertThatThrownBy(() -> client.write("during", Payload.of(new byte[] {4}))).isInstanceOf(IOException.class);
                assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.getMessage()).startsWith("cannot reach " + SERVER.endpoint());
                    // an outage, not a setting to fix: replication starts anyway and uploads once the service is back
                    assertThat(StorageOutage.isUnreachable(e)).as("classified as unreachable: %s", e).isTrue();
                });
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
            } finally {
                SERVER.start();
            }
            client.write("after", Payload.of(new byte[] {5}));
            assertThat(ReplicaClientContract.keys(client.list(""))).containsExactlyInAnyOrder("before", "after");
        }
    }

    @Test
    void endpointPasswordsAndSasTokensNeverAppearInErrors() throws Exception {
        String password = "endpoint-secret-" + UUID.randomUUID();
        String signature = "sas-signature-" + UUID.randomUUID();
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (FaultProxy hung = new FaultProxy(SERVER.port()).hang()) {
            for (int port : new int[] {closedPort, hung.port()}) {
                String endpoint = "http://127.0.0.1:" + port + "/" + AzuriteServer.ACCOUNT;
                var withUserInfo = new ReplicaStorage.Azure(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY, null, CONTAINER, "x",
                        endpoint.replace("//", "//" + AzuriteServer.ACCOUNT + ":" + password + "@"));
                // Azure does not use an endpoint's user info, and its SDK quotes the password when it fails to parse one.
                assertThatThrownBy(() -> new AzureReplicaClient(withUserInfo, FAST, n -> null)).isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("user name or password");
                    assertThat(e.toString()).doesNotContain(password);
                });
                var withKey = new ReplicaStorage.Azure(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY, null, CONTAINER, "x",
                        endpoint + "?comp=x&sig=" + password);
                var withSas = new ReplicaStorage.Azure(AzuriteServer.ACCOUNT, null, "sv=2025-11-05&sp=rwdl&sig=" + signature,
                        CONTAINER, "x", endpoint);
                for (var settings : List.of(withKey, withSas)) {
                    try (var client = new AzureReplicaClient(settings, FAST, n -> null)) {
                        List<Throwable> failures = new ArrayList<>();
                        failures.add(org.assertj.core.api.Assertions.catchThrowable(client::verify));
                        failures.add(org.assertj.core.api.Assertions.catchThrowable(() -> client.list("")));
                        failures.add(org.assertj.core.api.Assertions.catchThrowable(() -> client.write("k", Payload.of(new byte[] {1}))));
                        failures.add(org.assertj.core.api.Assertions.catchThrowable(() -> client.open("k").readAllBytes()));
                        failures.add(org.assertj.core.api.Assertions.catchThrowable(() -> client.delete(List.of("k"))));
                        assertThat(failures.get(0)).isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.getMessage())
                                .startsWith("cannot reach " + Redactor.urls(settings.endpoint())).contains("127.0.0.1:" + port));
                        for (Throwable failure : failures) {
                            assertThat(failure).isNotNull();
                            for (Throwable t = failure; t != null; t = t.getCause()) {
                                assertThat(t.toString()).as("%s", t).doesNotContain(password).doesNotContain(signature)
                                        .doesNotContain(AzuriteServer.ACCOUNT_KEY);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void hungServerTimesOutInsteadOfBlocking() throws Exception {
        // the real server behind a proxy that accepts connections and never answers
        try (FaultProxy hung = new FaultProxy(SERVER.port()).hang()) {
            var settings = new ReplicaStorage.Azure(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY, null, CONTAINER, "x",
                    "http://127.0.0.1:" + hung.port() + "/" + AzuriteServer.ACCOUNT);
            try (var client = new AzureReplicaClient(settings, FAST, n -> null)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.list("")).isInstanceOf(IOException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
            }
        }
    }
}
