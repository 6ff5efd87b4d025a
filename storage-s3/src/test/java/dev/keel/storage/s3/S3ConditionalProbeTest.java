package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.replication.spi.LeaseUnsupportedException;
import dev.keel.testing.S3TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Whether a server honours conditional writes is probed once per client and remembered. A server
 * whose conditional writes are not atomic (s3proxy when slow) may answer "already exists" for a key
 * nobody wrote: that answer must not be remembered as "ignores conditions", which would turn every
 * lease on a good server into a refusal at start.
 */
class S3ConditionalProbeTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-probe";

    @Test
    void aSpuriousConflictOnTheProbeIsAskedAgainNotRememberedAsUnsupported() throws IOException {
        var spurious = new AtomicInteger(2); // the first two fresh creates answer 412
        var cas = objects(spurious, false);
        String version = create(cas, "keel-lease", "one".getBytes(StandardCharsets.UTF_8));
        assertThat(version).isNotNull();
        assertThat(cas.create("keel-lease", "two".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void aServerThatNeverCreatesLeavesTheQuestionOpenAndIsAskedAgainLater() throws IOException {
        var spurious = new AtomicInteger(Integer.MAX_VALUE);
        var cas = objects(spurious, false);
        assertThatThrownBy(() -> cas.create("keel-lease", new byte[] {1}))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(LeaseUnsupportedException.class)
                .hasMessageContaining("could not tell whether");
        spurious.set(0); // the server recovers: the next write asks again and the lease works
        assertThat(create(cas, "keel-lease", new byte[] {1})).isNotNull();
    }

    @Test
    void aServerThatOverwritesDespiteIfNoneMatchIsRefusedForLeases() {
        var cas = objects(new AtomicInteger(0), true);
        assertThatThrownBy(() -> cas.create("keel-lease", new byte[] {1}))
                .isInstanceOf(LeaseUnsupportedException.class)
                .hasMessageContaining("ignores conditional writes");
    }

    /**
     * A create of a key nobody wrote; s3proxy itself (conditional writes not atomic) may answer a
     * conflict that never happened when it is slow, so a null with nothing written is tried again.
     */
    private static String create(S3ConditionalObjects cas, String key, byte[] bytes) throws IOException {
        String version = null;
        for (int i = 0; i < 3 && version == null; i++) {
            version = cas.create(key, bytes);
            if (version == null && cas.read(key) != null) break;
        }
        return version;
    }

    /** The real client on s3proxy, wrapped to answer 412 to fresh creates or to drop the condition. */
    private static S3ConditionalObjects objects(AtomicInteger spuriousConflicts, boolean ignoreConditions) {
        SERVER.createBucket(BUCKET);
        var storage = SERVER.storage(BUCKET, "/probe/" + UUID.randomUUID() + "/");
        S3Client real = S3ClientFactory.create(storage, S3Options.defaults(), name -> null);
        S3Client faulty = new PutFaultClient(real, (client, request, body) -> {
            if (request.ifNoneMatch() != null && spuriousConflicts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw (S3Exception) S3Exception.builder().statusCode(412).message("At least one of the pre-conditions you specified did not hold").build();
            }
            return client.putObject(ignoreConditions ? request.toBuilder().ifNoneMatch(null).build() : request, body);
        });
        String prefix = storage.path().substring(1);
        return new S3ConditionalObjects(() -> faulty, BUCKET, key -> prefix + key, "s3://" + BUCKET + "/probe",
                dev.keel.core.Redactor.URLS, new S3ReplicaClient.ConditionalSupport());
    }
}
