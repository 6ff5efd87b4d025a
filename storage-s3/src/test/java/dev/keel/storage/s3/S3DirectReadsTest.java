package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.ReplicaClientContract;
import dev.keel.testing.S3TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.xml.stream.XMLStreamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads that skip the SDK client's pipeline ({@link DirectReads}) against s3proxy: they answer what
 * the SDK would, never build the SDK client, and hand anything unusual to the SDK client.
 */
@Timeout(60)
class S3DirectReadsTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-direct";
    private static final List<String> KEYS = List.of("generations/0123456789abcdef/wal/00000001/00000000.wal.lz4",
            "odd/a b+c%d=e&f?g#h", "odd/ünïcødé/日本", "odd/tilde~star*(paren)!'quote'", "odd/semi;colon:at@dollar$comma,");

    private static ReplicaStorage.S3 storage(String path, String secret) {
        return new ReplicaStorage.S3(BUCKET, path, null, SERVER.endpoint(), true, false, SERVER.accessKeyId(), secret);
    }

    @Test
    void listsAndReadsWithoutBuildingTheSdkClient() throws IOException {
        SERVER.createBucket(BUCKET);
        String path = "direct-" + UUID.randomUUID();
        try (var writer = new S3ReplicaClient(storage(path, SERVER.secretAccessKey()), S3Options.defaults(), n -> null)) {
            for (String key : KEYS) writer.write(key, Payload.of(key.getBytes(StandardCharsets.UTF_8)));
        }
        try (var reader = new S3ReplicaClient(storage(path, SERVER.secretAccessKey()), S3Options.defaults(), n -> null)) {
            assertThat(ReplicaClientContract.keys(reader.list(""))).containsExactlyInAnyOrderElementsOf(KEYS);
            assertThat(ReplicaClientContract.keys(reader.list("odd/"))).hasSize(KEYS.size() - 1);
            for (String key : KEYS) {
                byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                assertThat(ReplicaClientContract.readAll(reader.open(key))).isEqualTo(bytes);
                assertThat(ReplicaClientContract.readAll(reader.openRange(key, 2, 3))).containsExactly(bytes[2], bytes[3], bytes[4]);
                assertThat(ReplicaClientContract.readAll(reader.openRange(key, bytes.length, 10))).isEmpty();
            }
            assertThatThrownBy(() -> reader.open("odd/missing")).isInstanceOf(NoSuchObjectException.class);
            assertThat(reader.directReads().enabled()).isTrue();
            assertThat(reader.sdkClientBuilt()).as("reads alone built the SDK client").isFalse();
        }
    }

    @Test
    void followsListingPages() throws IOException {
        SERVER.createBucket(BUCKET);
        String path = "pages-" + UUID.randomUUID();
        try (var client = new S3ReplicaClient(storage(path, SERVER.secretAccessKey()), S3Options.defaults(), n -> null)) {
            for (int i = 0; i < 7; i++) client.write("k/" + i, Payload.of(new byte[i]));
            List<ObjectInfo> objects = client.directReads().list(path + "/k/", 2).orElseThrow();
            assertThat(objects).extracting(ObjectInfo::key).containsExactly(
                    path + "/k/0", path + "/k/1", path + "/k/2", path + "/k/3", path + "/k/4", path + "/k/5", path + "/k/6");
            assertThat(objects).extracting(ObjectInfo::size).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        }
    }

    @Test
    void refusedRequestsGoToTheSdkClientWhichReportsThem() {
        SERVER.createBucket(BUCKET);
        String wrongSecret = "wrong-" + UUID.randomUUID();
        try (var client = new S3ReplicaClient(storage("refused-" + UUID.randomUUID(), wrongSecret), S3Options.defaults(), n -> null)) {
            assertThatThrownBy(() -> client.list("")).isInstanceOf(IOException.class)
                    .hasMessageContaining("LIST").hasMessageContaining("SignatureDoesNotMatch").hasMessageNotContaining(wrongSecret);
            assertThat(client.directReads().enabled()).as("direct reads stay off after a refusal").isFalse();
            assertThat(client.sdkClientBuilt()).isTrue();
            assertThatThrownBy(() -> client.open("anything")).isInstanceOf(IOException.class).hasMessageContaining("GET");
        }
    }

    @Test
    void aHungServerIsWaitedForOnceThenTheSdkClientTakesOver() throws IOException {
        SERVER.createBucket(BUCKET);
        S3Options quick = S3Options.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)).withMaxAttempts(1);
        try (FaultProxy proxy = new FaultProxy(SERVER.port());
             var client = new S3ReplicaClient(new ReplicaStorage.S3(BUCKET, "hung-" + UUID.randomUUID(), null,
                     proxy.httpEndpoint(), true, false, SERVER.accessKeyId(), SERVER.secretAccessKey()), quick, n -> null)) {
            client.write("k", Payload.of(new byte[] {7}));
            proxy.hang();
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.list("")).isInstanceOf(IOException.class).hasMessageContaining("LIST");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(client.directReads().enabled()).isFalse();
            proxy.pass();
            assertThat(ReplicaClientContract.keys(client.list(""))).containsExactly("k");
            assertThat(ReplicaClientContract.readAll(client.open("k"))).containsExactly(7);
        }
    }

    @Test
    void parsesListingPagesAndRefusesBrokenOnes() throws XMLStreamException {
        List<ObjectInfo> into = new ArrayList<>();
        String page = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
                + "<Contents><Key>p/a &amp; b</Key><LastModified>2024-05-01T12:00:00.000Z</LastModified><ETag>\"x\"</ETag>"
                + "<Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>"
                + "<Contents><Key>p/c</Key><LastModified>2024-05-01T12:00:01Z</LastModified><Size>0</Size>"
                + "<Owner><ID>o</ID><DisplayName>d</DisplayName></Owner></Contents>"
                + "<NextContinuationToken>next/token==</NextContinuationToken></ListBucketResult>";
        assertThat(DirectReads.parseListing(stream(page), into)).isEqualTo("next/token==");
        assertThat(into).extracting(ObjectInfo::key).containsExactly("p/a & b", "p/c");
        assertThat(into).extracting(ObjectInfo::size).containsExactly(10L, 0L);
        assertThat(into.get(1).lastModified()).hasToString("2024-05-01T12:00:01Z");

        String last = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
        assertThat(DirectReads.parseListing(stream(last), into)).isNull();
        assertThatThrownBy(() -> DirectReads.parseListing(stream("<ListBucketResult><Contents><Key>x</Key></Contents></ListBucketResult>"), into))
                .isInstanceOf(XMLStreamException.class);
        assertThatThrownBy(() -> DirectReads.parseListing(stream("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"), into))
                .isInstanceOf(XMLStreamException.class);
        assertThatThrownBy(() -> DirectReads.parseListing(stream("<html>not a listing"), into)).isInstanceOf(XMLStreamException.class);
        // Well-formed but not a listing: read as one, it would be an empty bucket ("no matching backups").
        assertThatThrownBy(() -> DirectReads.parseListing(stream("<?xml version=\"1.0\"?><Error><Code>InternalError</Code>"
                + "<Message>We encountered an internal error.</Message></Error>"), into)).isInstanceOf(XMLStreamException.class);
        assertThatThrownBy(() -> DirectReads.parseListing(stream("<html><body>gateway</body></html>"), into))
                .isInstanceOf(XMLStreamException.class);
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
