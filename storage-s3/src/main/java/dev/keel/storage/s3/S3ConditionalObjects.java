package dev.keel.storage.s3;

import dev.keel.core.Redactor;
import dev.keel.replication.spi.ConditionalObjects;
import java.io.IOException;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Compare-and-swap on S3 objects through conditional writes: {@code If-None-Match: *} creates only when
 * no object has the key, {@code If-Match: <ETag>} replaces only the version read. AWS S3 has honoured
 * both since 2024; a server that ignores them would let two writers both "win", so the first use checks
 * that the server refuses a second exclusive create, and fails with a clear message when it does not.
 */
final class S3ConditionalObjects implements ConditionalObjects {
    private final Supplier<S3Client> s3;
    private final String bucket;
    private final Function<String, String> objectKey;
    private final String subject;
    private final Redactor redactor;
    private final S3ReplicaClient.ConditionalSupport support;

    S3ConditionalObjects(Supplier<S3Client> s3, String bucket, Function<String, String> objectKey, String subject,
                         Redactor redactor, S3ReplicaClient.ConditionalSupport support) {
        this.s3 = s3;
        this.bucket = bucket;
        this.objectKey = objectKey;
        this.subject = subject;
        this.redactor = redactor;
        this.support = support;
    }

    @Override
    public Versioned read(String key) throws IOException {
        try {
            ResponseBytes<GetObjectResponse> got = s3.get().getObjectAsBytes(b -> b.bucket(bucket).key(objectKey.apply(key)));
            byte[] bytes = got.asByteArrayUnsafe();
            if (bytes.length > MAX_BYTES) throw new IOException("the object " + key + " on " + subject + " is larger than a lease object can be");
            return new Versioned(bytes, got.response().eTag());
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return null;
            throw S3Errors.io("GET " + key, subject, e, redactor);
        } catch (SdkException e) {
            throw S3Errors.io("GET " + key, subject, e, redactor);
        }
    }

    @Override
    public String create(String key, byte[] bytes) throws IOException {
        support.check(this);
        return put(key, bytes, null);
    }

    @Override
    public String replace(String key, byte[] bytes, String version) throws IOException {
        support.check(this);
        return put(key, bytes, version);
    }

    /** Conditional PUT: the new ETag, or null when the condition did not hold. */
    private String put(String key, byte[] bytes, String ifMatch) throws IOException {
        try {
            return s3.get().putObject(b -> {
                b.bucket(bucket).key(objectKey.apply(key)).contentLength((long) bytes.length).contentType("text/plain");
                if (ifMatch == null) b.ifNoneMatch("*");
                else b.ifMatch(ifMatch);
            }, RequestBody.fromBytes(bytes)).eTag();
        } catch (S3Exception e) {
            // 412: the condition failed; 409: a concurrent conditional write won; 404: If-Match on an object that is gone
            if (e.statusCode() == 412 || e.statusCode() == 409 || (ifMatch != null && e.statusCode() == 404)) {
                return ownWriteOrRefused(key, bytes);
            }
            throw S3Errors.io("conditional PUT " + key, subject, e, redactor);
        } catch (SdkException e) {
            IOException failure = S3Errors.io("conditional PUT " + key, subject, e, redactor);
            return outcomeFromObject(key, bytes, ifMatch, failure);
        }
    }

    /**
     * A refusal may answer a retry of our own PUT whose first attempt landed (the SDK retries a request
     * whose answer timed out, and the retry finds the condition false because of that very write): our
     * bytes in the object (they name their writer) mean the write is ours; anything else is a refusal.
     */
    private String ownWriteOrRefused(String key, byte[] bytes) throws IOException {
        Versioned now = read(key);
        return now != null && java.util.Arrays.equals(now.bytes(), bytes) ? now.version() : null;
    }

    /**
     * A conditional PUT whose answer was lost: a server that refuses the condition may answer and close
     * before it read the body, and the client then reports only that it could not send it. The object
     * as it is now tells what happened: our bytes (they name their writer) mean the write landed; an
     * object that makes the condition false means it was refused (and would be again); otherwise the
     * outcome is unknown and {@code failure} is thrown.
     */
    private String outcomeFromObject(String key, byte[] bytes, String ifMatch, IOException failure) throws IOException {
        Versioned now;
        try {
            now = read(key);
        } catch (IOException unreadable) {
            failure.addSuppressed(unreadable);
            throw failure;
        }
        if (now != null && java.util.Arrays.equals(now.bytes(), bytes)) return now.version();
        boolean conditionFalse = ifMatch == null ? now != null : now == null || !ifMatch.equals(now.version());
        if (conditionFalse) return null;
        throw failure;
    }

    /**
     * True when the server refuses a second {@code If-None-Match: *} PUT of one key (then deletes the
     * probe). Some S3-compatible servers ignore the header and overwrite. A server that refuses the
     * first create of a fresh key has told nothing (a server whose conditional writes are not atomic
     * does that when slow), so the probe is tried again with another key, and after a few such answers
     * the question stays open: an IOException, not a verdict that would be remembered.
     */
    boolean serverHonoursConditions() throws IOException {
        for (int attempt = 0; attempt < PROBE_ATTEMPTS; attempt++) {
            String probe = ".keel-cas-probe-" + UUID.randomUUID();
            try {
                if (put(probe, new byte[] {1}, null) == null) continue;
                return put(probe, new byte[] {2}, null) == null;
            } catch (IOException e) {
                if (e.getCause() instanceof S3Exception s && S3Errors.isUnsupported(s)) return false;
                throw e;
            } finally {
                try {
                    s3.get().deleteObject(b -> b.bucket(bucket).key(objectKey.apply(probe)));
                } catch (SdkException ignored) {
                    // a leftover probe object is harmless: nothing reads it
                }
            }
        }
        throw new IOException("could not tell whether " + subject + " honours conditional writes: it refused to "
                + "create a new object " + PROBE_ATTEMPTS + " times as if it existed; Keel will ask again on the next write");
    }

    private static final int PROBE_ATTEMPTS = 3;
}
