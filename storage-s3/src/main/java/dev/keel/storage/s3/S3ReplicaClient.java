package dev.keel.storage.s3;

import dev.keel.core.Redactor;
import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A replica in an S3 bucket (AWS or any S3-compatible server) under a path prefix: object key =
 * path + "/" + replica key. Objects up to one part are written with a single PUT, larger ones with a
 * streaming multipart upload; both become visible whole or not at all.
 */
public final class S3ReplicaClient implements ReplicaClient {
    private static final int DELETE_BATCH = 1000; // the most DeleteObjects accepts

    private final ReplicaStorage.S3 storage;
    private final S3Options options;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final String region;
    /** Plain reads without the SDK client's pipeline; null when the endpoint needs more than SigV4. */
    private final DirectReads reads;
    /** Built on first use: a restore or listing that the direct reads serve never pays for it. */
    private S3Client s3;
    private final String rootPrefix;
    /** Hides the endpoint's password and the secret key in every message this client makes. */
    private final Redactor redactor;
    /** Cleared when the server turns out not to implement DeleteObjects (Google Cloud Storage). */
    private volatile boolean multiObjectDelete;

    public S3ReplicaClient(ReplicaStorage.S3 storage) {
        this(storage, S3Options.defaults(), System::getenv);
    }

    /** {@code env} looks up environment variables (credentials, region); tests pass their own. */
    public S3ReplicaClient(ReplicaStorage.S3 storage, S3Options options, UnaryOperator<String> env) {
        this.storage = storage;
        this.options = options;
        this.http = S3ClientFactory.httpClient(storage, options, env);
        this.credentials = S3ClientFactory.credentials(storage, env);
        this.region = S3ClientFactory.region(storage, env);
        this.reads = !options.directReads() ? null : DirectReads.create(http, credentials, storage.bucket(), region,
                S3ClientFactory.endpoint(storage.endpoint()), storage.forcePathStyle());
        this.rootPrefix = storage.path().isEmpty() ? "" : storage.path() + "/";
        this.redactor = S3ClientFactory.redactor(credentials);
        this.multiObjectDelete = options.multiObjectDelete();
    }

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public String describe() {
        return storage.describe();
    }

    /**
     * Lists the replica path, then writes and deletes a probe object there: replication needs all
     * three, and read-only credentials should be refused at startup, not on every sync.
     */
    @Override
    public void verify() {
        String probe = objectKey(".keel-verify-" + UUID.randomUUID());
        String operation = "list objects";
        try {
            s3().listObjectsV2(b -> b.bucket(storage.bucket()).prefix(rootPrefix).maxKeys(1));
            operation = "write objects";
            s3().putObject(b -> b.bucket(storage.bucket()).key(probe).contentLength(0L), RequestBody.empty());
            operation = "delete objects";
            s3().deleteObject(b -> b.bucket(storage.bucket()).key(probe));
        } catch (SdkException e) {
            throw S3Errors.unavailable(describe(), storage.bucket(), storage.endpoint(), operation, e, redactor);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> objects = reads == null ? null : reads.list(rootPrefix + prefix).orElse(null);
        if (objects == null) {
            objects = new ArrayList<>();
            try {
                for (S3Object object : s3().listObjectsV2Paginator(b -> b.bucket(storage.bucket()).prefix(rootPrefix + prefix)).contents()) {
                    objects.add(new ObjectInfo(object.key(), object.size(), object.lastModified()));
                }
            } catch (SdkException e) {
                throw S3Errors.io("LIST " + prefix, describe(), e, redactor);
            }
        }
        List<ObjectInfo> out = new ArrayList<>(objects.size());
        for (ObjectInfo object : objects) {
            if (!object.key().startsWith(rootPrefix)) continue;
            String key = object.key().substring(rootPrefix.length());
            if (key.isEmpty() || key.endsWith("/")) continue; // folder markers made by consoles and tools
            out.add(new ObjectInfo(key, object.size(), object.lastModified()));
        }
        return out;
    }

    @Override
    public InputStream open(String key) throws IOException {
        InputStream direct = reads == null ? null : reads.get(objectKey(key), 0, -1).orElse(null);
        if (direct != null) return direct;
        try {
            return s3().getObject(b -> b.bucket(storage.bucket()).key(objectKey(key)));
        } catch (NoSuchKeyException e) {
            throw new NoSuchObjectException(key);
        } catch (SdkException e) {
            throw notFoundOr(key, "GET", e);
        }
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) throw new IllegalArgumentException("negative range: " + offset + "+" + length);
        if (length > 0 && reads != null) {
            InputStream direct = reads.get(objectKey(key), offset, length).orElse(null);
            if (direct != null) return direct;
        }
        try {
            if (length == 0) {
                s3().headObject(b -> b.bucket(storage.bucket()).key(objectKey(key)));
                return InputStream.nullInputStream();
            }
            String range = "bytes=" + offset + "-" + (offset + length - 1);
            return s3().getObject(b -> b.bucket(storage.bucket()).key(objectKey(key)).range(range));
        } catch (NoSuchKeyException e) {
            throw new NoSuchObjectException(key);
        } catch (S3Exception e) {
            // 416: the range starts at or past the end of an existing object, so there is nothing to read.
            if (e.statusCode() == 416) return new ByteArrayInputStream(new byte[0]);
            throw notFoundOr(key, "GET", e);
        } catch (SdkException e) {
            throw notFoundOr(key, "GET", e);
        }
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        String objectKey = objectKey(key);
        try {
            if (payload.length() > options.partSize()) {
                new MultipartUpload(s3(), storage.bucket(), objectKey, options.partSize()).run(payload);
                return;
            }
            RequestBody body = RequestBody.fromContentProvider(() -> {
                try {
                    return payload.open();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, payload.length(), "application/octet-stream");
            s3().putObject(b -> b.bucket(storage.bucket()).key(objectKey).contentLength(payload.length()), body);
        } catch (SdkException e) {
            throw S3Errors.io("PUT " + key, describe(), e, redactor);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        List<ObjectIdentifier> batch = new ArrayList<>();
        for (String key : keys) {
            batch.add(ObjectIdentifier.builder().key(objectKey(key)).build());
            if (batch.size() == DELETE_BATCH) {
                deleteBatch(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) deleteBatch(batch);
    }

    private void deleteBatch(List<ObjectIdentifier> batch) throws IOException {
        if (!multiObjectDelete) {
            deleteOneByOne(batch);
            return;
        }
        DeleteObjectsResponse response;
        try {
            response = s3().deleteObjects(b -> b.bucket(storage.bucket()).delete(d -> d.objects(batch).quiet(true)));
        } catch (S3Exception e) {
            if (!S3Errors.isUnsupported(e)) throw S3Errors.io("DELETE of " + batch.size() + " objects", describe(), e, redactor);
            multiObjectDelete = false;
            deleteOneByOne(batch);
            return;
        } catch (SdkException e) {
            throw S3Errors.io("DELETE of " + batch.size() + " objects", describe(), e, redactor);
        }
        for (S3Error error : response.errors()) {
            if ("NoSuchKey".equals(error.code())) continue; // already gone is what we wanted
            throw new IOException("DELETE " + error.key() + " failed on " + describe() + ": " + error.code() + " " + error.message());
        }
    }

    private void deleteOneByOne(List<ObjectIdentifier> batch) throws IOException {
        for (ObjectIdentifier id : batch) {
            try {
                s3().deleteObject(b -> b.bucket(storage.bucket()).key(id.key()));
            } catch (S3Exception e) {
                if (e.statusCode() != 404) throw S3Errors.io("DELETE " + id.key(), describe(), e, redactor);
            } catch (SdkException e) {
                throw S3Errors.io("DELETE " + id.key(), describe(), e, redactor);
            }
        }
    }

    @Override
    public java.util.Optional<dev.keel.replication.spi.ConditionalObjects> conditionalObjects() {
        return java.util.Optional.of(new S3ConditionalObjects(this::s3, storage.bucket(), this::objectKey, describe(),
                redactor, conditionalSupport));
    }

    /** Whether the server honours conditional writes, checked once per client (a fleet shares one). */
    static final class ConditionalSupport {
        private Boolean honoured;

        synchronized void check(S3ConditionalObjects objects) throws IOException {
            if (honoured == null) honoured = objects.serverHonoursConditions();
            if (!honoured) {
                throw new dev.keel.replication.spi.LeaseUnsupportedException("the S3 server ignores conditional "
                        + "writes (If-None-Match), so the replica's lease cannot be held there",
                        "set 'lease: off' on this replica and make sure only one replicator writes it, or use a server "
                        + "that honours conditional writes (AWS S3 does)");
            }
        }
    }

    private final ConditionalSupport conditionalSupport = new ConditionalSupport();

    @Override
    public void close() {
        synchronized (this) {
            if (s3 != null) s3.close();
        }
        http.close();
    }

    /** The direct read path, or null when these settings need the SDK client for reads (tests look at it). */
    DirectReads directReads() {
        return reads;
    }

    /** True once something needed the SDK client (tests check that reads alone do not). */
    synchronized boolean sdkClientBuilt() {
        return s3 != null;
    }

    private synchronized S3Client s3() {
        if (s3 == null) s3 = S3ClientFactory.create(storage, options, http, credentials, region);
        return s3;
    }

    private String objectKey(String key) {
        if (key.isEmpty() || key.startsWith("/")) throw new IllegalArgumentException("invalid replica key: " + key);
        return rootPrefix + key;
    }

    private IOException notFoundOr(String key, String action, SdkException e) {
        if (e instanceof S3Exception s3e && s3e.statusCode() == 404) return new NoSuchObjectException(key);
        return S3Errors.io(action + " " + key, describe(), e, redactor);
    }
}
