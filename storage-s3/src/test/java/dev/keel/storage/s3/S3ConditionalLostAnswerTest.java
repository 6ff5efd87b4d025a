package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.testing.S3TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A conditional PUT whose answer is lost (s3proxy refusing a condition answers and closes before it
 * read the body; the client then reports "Error writing request body to server"). The object as it is
 * afterwards decides: a condition that is false now is a refusal, our own bytes are a write that
 * landed, and anything else stays an error.
 */
class S3ConditionalLostAnswerTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-lost-answer";

    /** What the faulty client does with the next conditional PUT. */
    private enum Fault { NONE, LOSE_REQUEST, LOSE_ANSWER, RETRY_AFTER_LANDING }

    private final AtomicReference<Fault> fault = new AtomicReference<>(Fault.NONE);

    @Test
    void anIfMatchOnAMissingObjectWhoseAnswerIsLostIsARefusal() throws IOException {
        var cas = objects();
        assertThat(cas.create("keel-lease", bytes("one"))).isNotNull(); // the first use probes the server
        fault.set(Fault.LOSE_REQUEST);
        assertThat(cas.replace("missing", bytes("x"), "\"0123\"")).isNull();
    }

    @Test
    void aStaleIfMatchWhoseAnswerIsLostIsARefusal() throws IOException {
        var cas = objects();
        String v1 = cas.create("keel-lease", bytes("one"));
        assertThat(cas.replace("keel-lease", bytes("two"), v1)).isNotNull();
        fault.set(Fault.LOSE_REQUEST);
        assertThat(cas.replace("keel-lease", bytes("three"), v1)).isNull();
        assertThat(new String(cas.read("keel-lease").bytes(), StandardCharsets.UTF_8)).isEqualTo("two");
    }

    @Test
    void aCreateOverAnExistingObjectWhoseAnswerIsLostIsARefusal() throws IOException {
        var cas = objects();
        assertThat(cas.create("keel-lease", bytes("one"))).isNotNull();
        fault.set(Fault.LOSE_REQUEST);
        assertThat(cas.create("keel-lease", bytes("two"))).isNull();
    }

    @Test
    void aWriteThatLandedBeforeItsAnswerWasLostReturnsItsVersion() throws IOException {
        var cas = objects();
        String v1 = cas.create("keel-lease", bytes("one"));
        fault.set(Fault.LOSE_ANSWER);
        String v2 = cas.replace("keel-lease", bytes("holder b, renewed"), v1);
        assertThat(v2).isNotNull().isEqualTo(cas.read("keel-lease").version());
    }

    @Test
    void aRetryRefusedBecauseItsFirstAttemptLandedReturnsTheVersion() throws IOException {
        var cas = objects();
        assertThat(cas.create("other", bytes("probe first"))).isNotNull();
        fault.set(Fault.RETRY_AFTER_LANDING);
        String v1 = cas.create("keel-lease", bytes("holder a"));
        assertThat(v1).isNotNull().isEqualTo(cas.read("keel-lease").version());
        fault.set(Fault.RETRY_AFTER_LANDING);
        String v2 = cas.replace("keel-lease", bytes("holder a, renewed"), v1);
        assertThat(v2).isNotNull().isEqualTo(cas.read("keel-lease").version());
        assertThat(cas.replace("keel-lease", bytes("holder b"), v1)).as("a stale version is still refused").isNull();
    }

    @Test
    void aLostAnswerWhileTheConditionStillHoldsIsAnError() throws IOException {
        var cas = objects();
        String v1 = cas.create("keel-lease", bytes("one"));
        fault.set(Fault.LOSE_REQUEST);
        assertThatThrownBy(() -> cas.replace("keel-lease", bytes("two"), v1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("conditional PUT")
                .hasMessageContaining("Error writing request body");
        assertThat(cas.read("keel-lease").version()).isEqualTo(v1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The real client on s3proxy, wrapped to lose the next conditional PUT or its answer. */
    private S3ConditionalObjects objects() {
        SERVER.createBucket(BUCKET);
        var storage = SERVER.storage(BUCKET, "/lost/" + UUID.randomUUID() + "/");
        S3Client real = S3ClientFactory.create(storage, S3Options.defaults(), name -> null);
        S3Client faulty = new PutFaultClient(real, (client, request, body) -> {
            Fault now = fault.getAndSet(Fault.NONE);
            if (now == Fault.LOSE_ANSWER) client.putObject(request, body);
            if (now == Fault.RETRY_AFTER_LANDING) {
                client.putObject(request, body); // lands; its answer timed out, so the SDK sends it again:
                return client.putObject(request, body); // the server refuses the retry (the object exists now)
            }
            if (now != Fault.NONE) throw SdkClientException.create("Unable to execute HTTP request: Error writing request body to server");
            return client.putObject(request, body);
        });
        String prefix = storage.path().substring(1);
        return new S3ConditionalObjects(() -> faulty, BUCKET, key -> prefix + key, "s3://" + BUCKET + "/lost",
                dev.keel.core.Redactor.URLS, new S3ReplicaClient.ConditionalSupport());
    }
}
