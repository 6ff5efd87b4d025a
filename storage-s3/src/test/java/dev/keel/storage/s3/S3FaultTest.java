package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.GeneratedStream;
import dev.keel.testing.ReplicaClientContract;
import dev.keel.testing.S3TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3Client;

/** What the S3 backend does when credentials, bucket or server are wrong, gone or stuck. */
@Timeout(60)
class S3FaultTest {
    private static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-faults";
    private static final S3Options FAST = S3Options.defaults()
            .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)).withMaxAttempts(2);

    @BeforeAll
    static void start() {
        SERVER.start().createBucket(BUCKET);
    }

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    private static ReplicaStorage.S3 storage(String bucket, String accessKey, String secret) {
        return new ReplicaStorage.S3(bucket, "db-" + UUID.randomUUID(), null, SERVER.endpoint(), true, false, accessKey, secret);
    }

    @Test
    void wrongCredentialsAreReportedWithoutTheSecret() {
        String wrongSecret = "wrong-secret-" + UUID.randomUUID();
        try (var client = new S3ReplicaClient(storage(BUCKET, SERVER.accessKeyId(), wrongSecret), FAST, name -> null)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).contains("refused the credentials");
                assertThat(e.subject()).isEqualTo(client.describe()).startsWith("s3://" + BUCKET);
                assertThat(e.hint()).contains("secret-access-key");
                assertThat(e.toString() + client.describe()).doesNotContain(wrongSecret);
                assertThat(e.getCause()).isNull();
            });
        }
    }

    @Test
    void readOnlyCredentialsAreRefusedAtStartupAndAVerifiedReplicaKeepsNoProbe() throws IOException {
        try (FaultProxy readOnly = new FaultProxy(SERVER.port()).refuseWrites();
             var client = new S3ReplicaClient(new ReplicaStorage.S3(BUCKET, "ro-" + UUID.randomUUID(), null, readOnly.httpEndpoint(),
                     true, false, SERVER.accessKeyId(), SERVER.secretAccessKey()), FAST, n -> null)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).isEqualTo("the storage refused the credentials to write objects (AccessDenied)");
                assertThat(e.subject()).isEqualTo(client.describe());
                assertThat(e.hint()).contains("write and delete objects in bucket '" + BUCKET + "'");
                assertThat(e.toString()).doesNotContain(SERVER.secretAccessKey());
            });
            assertThat(readOnly.errorsSent()).isPositive();
            readOnly.pass();
            client.verify();
            assertThat(client.list("")).as("the probe object is deleted").isEmpty();
        }
    }

    @Test
    void missingBucketIsNamed() {
        try (var client = new S3ReplicaClient(storage("no-such-bucket", SERVER.accessKeyId(), SERVER.secretAccessKey()), FAST, n -> null)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).contains("bucket 'no-such-bucket' does not exist");
                assertThat(e.subject()).contains("s3://no-such-bucket");
                assertThat(e.toString()).doesNotContain(SERVER.secretAccessKey());
            });
        }
    }

    @Test
    void unreachableEndpointIsReported() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        var settings = new ReplicaStorage.S3(BUCKET, "x", null, "http://127.0.0.1:" + closedPort, true, false, "a", "b");
        try (var client = new S3ReplicaClient(settings, FAST, n -> null)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).startsWith("cannot reach http://127.0.0.1:" + closedPort);
            });
        }
    }

    @Test
    void anEndpointsUserInfoNeverAppearsInErrors() throws Exception {
        String password = "endpoint-secret-" + UUID.randomUUID();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (FaultProxy hung = new FaultProxy(SERVER.port()).hang()) {
            for (int port : new int[] {closedPort, hung.port()}) {
                var settings = new ReplicaStorage.S3(BUCKET, "x", null, "http://minio:" + password + "@127.0.0.1:" + port,
                        true, false, "a", "b");
                for (S3Options options : List.of(FAST, FAST.withDirectReads(false))) {
                    try (var client = new S3ReplicaClient(settings, options, n -> null)) {
                        assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e ->
                                assertThat(e.getMessage()).startsWith("cannot reach http://minio:***@127.0.0.1:" + port));
                        List<Throwable> failures = new java.util.ArrayList<>();
                        failures.add(catchThrowable(client::verify));
                        failures.add(catchThrowable(() -> client.list("")));
                        failures.add(catchThrowable(() -> client.write("k", Payload.of(new byte[] {1}))));
                        failures.add(catchThrowable(() -> client.open("k").readAllBytes()));
                        failures.add(catchThrowable(() -> client.delete(List.of("k"))));
                        for (Throwable failure : failures) {
                            assertThat(failure).isNotNull();
                            for (Throwable t = failure; t != null; t = t.getCause()) {
                                assertThat(t.toString()).as("%s", t).doesNotContain(password);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void credentialsComeFromLitestreamThenAwsVariables() throws IOException {
        var noKeys = storage(BUCKET, null, null);
        Map<String, String> litestream = Map.of("LITESTREAM_ACCESS_KEY_ID", SERVER.accessKeyId(),
                "LITESTREAM_SECRET_ACCESS_KEY", SERVER.secretAccessKey(), "AWS_ACCESS_KEY_ID", "wrong", "AWS_SECRET_ACCESS_KEY", "wrong");
        // Requests that must succeed get the SDK's usual retries: the JVM-wide keep-alive cache of the URL
        // connection client can hand out a connection the server closed after an earlier test (CI saw
        // "Error writing request body to server" on both of FAST's two attempts).
        S3Options retried = FAST.withMaxAttempts(4);
        try (var client = new S3ReplicaClient(noKeys, retried, litestream::get)) {
            client.verify();
        }
        Map<String, String> aws = Map.of("AWS_ACCESS_KEY_ID", SERVER.accessKeyId(), "AWS_SECRET_ACCESS_KEY", SERVER.secretAccessKey());
        try (var client = new S3ReplicaClient(noKeys, retried, aws::get)) {
            client.verify();
            client.write("k", Payload.of(new byte[] {1}));
        }
        Map<String, String> wrong = Map.of("AWS_ACCESS_KEY_ID", SERVER.accessKeyId(), "AWS_SECRET_ACCESS_KEY", "nope");
        try (var client = new S3ReplicaClient(noKeys, FAST, wrong::get)) {
            assertThatThrownBy(client::verify).isInstanceOf(KeelException.class);
        }
    }

    @Test
    void providerIsFoundByType() throws IOException {
        try (ReplicaClient client = ReplicaClients.open(storage(BUCKET, SERVER.accessKeyId(), SERVER.secretAccessKey()))) {
            assertThat(client).isInstanceOf(S3ReplicaClient.class);
            client.verify();
        }
    }

    @Test
    void bucketRootWorksAsReplicaRoot() throws IOException {
        String bucket = SERVER.createBucket("keel-root-" + System.nanoTime());
        var settings = new ReplicaStorage.S3(bucket, "", null, SERVER.endpoint(), true, false,
                SERVER.accessKeyId(), SERVER.secretAccessKey());
        try (var client = new S3ReplicaClient(settings, FAST, n -> null)) {
            client.write("generations/0000000000000001/wal/00000000_00000000.wal.lz4", Payload.of(new byte[] {7}));
            assertThat(ReplicaClientContract.keys(client.list("")))
                    .containsExactly("generations/0000000000000001/wal/00000000_00000000.wal.lz4");
        }
    }

    @Test
    void deletesOneByOneWhereDeleteObjectsIsMissing() throws IOException {
        var settings = storage(BUCKET, SERVER.accessKeyId(), SERVER.secretAccessKey());
        try (var client = new S3ReplicaClient(settings, FAST.withMultiObjectDelete(false), n -> null)) {
            for (int i = 0; i < 5; i++) client.write("d/" + i, Payload.of(new byte[] {(byte) i}));
            client.delete(List.of("d/0", "d/1", "d/missing", "d/4"));
            assertThat(ReplicaClientContract.keys(client.list(""))).containsExactlyInAnyOrder("d/2", "d/3");
        }
    }

    @Test
    void failedMultipartUploadIsAborted() throws IOException {
        var settings = storage(BUCKET, SERVER.accessKeyId(), SERVER.secretAccessKey());
        S3Options small = FAST.withPartSize(S3Options.MIN_PART_SIZE);
        long size = 3 * S3Options.MIN_PART_SIZE;
        Payload breaksInThirdPart = new Payload() {
            @Override
            public long length() {
                return size;
            }

            @Override
            public InputStream open() {
                return new GeneratedStream(1, size, size - 1000);
            }
        };
        try (var client = new S3ReplicaClient(settings, small, n -> null);
             S3Client raw = S3ClientFactory.create(settings, small, n -> null)) {
            assertThatThrownBy(() -> client.write("big", breaksInThirdPart)).isInstanceOf(IOException.class);
            assertThat(client.list("")).isEmpty();
            assertThat(raw.listMultipartUploads(b -> b.bucket(BUCKET).prefix(settings.path() + "/")).uploads()).isEmpty();
        }
    }

    @Test
    void stoppedServerFailsFastAndRestartedServerWorksAgain() throws IOException {
        try (var client = new S3ReplicaClient(storage(BUCKET, SERVER.accessKeyId(), SERVER.secretAccessKey()), FAST, n -> null)) {
            client.write("before", Payload.of(new byte[] {1, 2, 3}));
            SERVER.stop();
            try {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.list("")).isInstanceOf(IOException.class).hasMessageContaining("LIST");
                assertThatThrownBy(() -> client.write("during", Payload.of(new byte[] {4}))).isInstanceOf(IOException.class);
                assertThatThrownBy(() -> client.open("before").readAllBytes()).isInstanceOf(IOException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            } finally {
                SERVER.start();
            }
            client.write("after", Payload.of(new byte[] {5}));
            assertThat(ReplicaClientContract.keys(client.list(""))).containsExactlyInAnyOrder("before", "after");
            assertThat(ReplicaClientContract.readAll(client.open("before"))).containsExactly(1, 2, 3);
        }
    }

    @Test
    void hungServerTimesOutInsteadOfBlocking() throws Exception {
        // the real server behind a proxy that accepts connections and never answers
        try (FaultProxy hung = new FaultProxy(SERVER.port()).hang()) {
            var settings = new ReplicaStorage.S3(BUCKET, "x", null, "http://127.0.0.1:" + hung.port(), true, false, "a", "b");
            try (var client = new S3ReplicaClient(settings, FAST, n -> null)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.list("")).isInstanceOf(IOException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
                assertThatThrownBy(client::verify).isInstanceOf(KeelException.class);
            }
        }
    }
}
