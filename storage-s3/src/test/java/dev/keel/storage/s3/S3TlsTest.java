package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.ReplicaClientContract;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS against a real S3 server (s3proxy over HTTPS on 127.0.0.1) whose certificate is self-signed:
 * refused unless the replica sets {@code skip-verify}.
 */
@Timeout(60)
class S3TlsTest {
    private static final String ID = "tls-access";
    private static final String SECRET = "tls-secret-not-in-any-message";
    private static final String BUCKET = "keel-tls";

    @TempDir
    Path dir;
    private S3Proxy proxy;
    private BlobStore blobStore;
    private String endpoint;

    @BeforeEach
    void startHttpsServer() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "s3proxy", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as(output).isTrue();

        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", java.nio.file.Files.createDirectories(dir.resolve("data")).toString());
        props.setProperty("jclouds.identity", ID);
        props.setProperty("jclouds.credential", SECRET);
        blobStore = BlobStores.create("filesystem", props);
        blobStore.createContainer(BUCKET);
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        endpoint = "https://127.0.0.1:" + port;
        proxy = S3Proxy.builder().blobStore(blobStore).awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ID, SECRET)
                .secureEndpoint(URI.create(endpoint)).keyStore(keyStore.toString(), "changeit")
                .ignoreUnknownHeaders(true).stopTimeout(0).build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(proxy.getState()).isEqualTo("STARTED");
    }

    @AfterEach
    void stopServer() throws Exception {
        if (proxy != null) proxy.stop();
        if (blobStore != null) blobStore.close();
    }

    private ReplicaStorage.S3 storage(boolean skipVerify) {
        return new ReplicaStorage.S3(BUCKET, "tls", "us-east-1", endpoint, true, skipVerify, ID, SECRET);
    }

    @Test
    void selfSignedCertificateIsRefusedWithoutSkipVerify() {
        S3Options fast = S3Options.defaults().withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(3)).withMaxAttempts(1);
        try (var client = new S3ReplicaClient(storage(false), fast, n -> null)) {
            assertThatThrownBy(client::verify).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.subject()).isEqualTo(client.describe());
                assertThat(e.getMessage() + " " + e.hint()).containsIgnoringCase("certificate");
                assertThat(e.describe() + e.hint()).doesNotContain(SECRET);
            });
            assertThatThrownBy(() -> client.write("k", Payload.of(new byte[] {1}))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void selfSignedCertificateIsAcceptedWithSkipVerify() throws IOException {
        try (var client = new S3ReplicaClient(storage(true), S3Options.defaults(), n -> null)) {
            client.verify();
            client.write("generations/0000000000000001/wal/00000000_00000000.wal.lz4", Payload.of(new byte[] {1, 2, 3}));
            assertThat(ReplicaClientContract.keys(client.list("")))
                    .containsExactly("generations/0000000000000001/wal/00000000_00000000.wal.lz4");
        }
    }
}
