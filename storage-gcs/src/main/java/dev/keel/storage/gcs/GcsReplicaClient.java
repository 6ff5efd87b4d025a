package dev.keel.storage.gcs;

import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A replica in a Google Cloud Storage bucket under a path prefix: object name = path + "/" + replica
 * key. Objects up to {@link GcsOptions#singleRequestLimit()} go up in one request, larger ones as a
 * resumable upload that is finalized only after the last byte; either way an object changes whole or
 * not at all. A listing's timestamp is the object's creation time, as Litestream's GCS client reads it.
 *
 * <p>No compare-and-swap is offered (so no lease): GCS has one (generation preconditions), but the
 * only emulator Keel can test against ignores them, and an untested fence is worse than none.
 */
public final class GcsReplicaClient implements ReplicaClient {
    private static final String CONTENT_TYPE = "application/octet-stream";
    /** Replica objects are lz4 frames already; gzip would only cost CPU (and the emulator cannot read it). */
    private static final Storage.BlobTargetOption NO_GZIP = Storage.BlobTargetOption.disableGzipContent();

    private final ReplicaStorage.Gcs storage;
    private final GcsOptions options;
    private final Storage gcs;
    private final String endpoint;
    private final String rootPrefix;

    public GcsReplicaClient(ReplicaStorage.Gcs storage) {
        this(storage, GcsOptions.defaults(), System::getenv);
    }

    /** {@code env} looks up environment variables (the emulator host, the credentials file); tests pass their own. */
    public GcsReplicaClient(ReplicaStorage.Gcs storage, GcsOptions options, UnaryOperator<String> env) {
        this.storage = storage;
        this.options = options;
        this.endpoint = GcsClientFactory.endpoint(env);
        try {
            this.gcs = GcsClientFactory.create(storage, options, env);
        } catch (IllegalArgumentException e) {
            throw new KeelException(ErrorCode.BAD_INPUT, "cannot set up the Google Cloud Storage client: "
                    + dev.keel.core.Redactor.urls(String.valueOf(e.getMessage())), storage.describe(),
                    "check STORAGE_EMULATOR_HOST (host:port) and GOOGLE_APPLICATION_CREDENTIALS");
        }
        this.rootPrefix = storage.path().isEmpty() ? "" : storage.path() + "/";
    }

    @Override
    public String type() {
        return "gcs";
    }

    @Override
    public String describe() {
        return storage.describe();
    }

    /**
     * Lists the replica path, then writes and deletes a probe object there: replication needs all
     * three, and credentials that may only read should be refused at startup, not on every sync.
     */
    @Override
    public void verify() {
        BlobId probe = id(".keel-verify-" + UUID.randomUUID());
        String operation = "list objects";
        try {
            gcs.list(storage.bucket(), Storage.BlobListOption.prefix(rootPrefix), Storage.BlobListOption.pageSize(1));
            operation = "write objects";
            gcs.create(BlobInfo.newBuilder(probe).setContentType(CONTENT_TYPE).build(), new byte[0], NO_GZIP);
            operation = "delete objects";
            gcs.delete(probe);
        } catch (RuntimeException e) {
            throw GcsErrors.unavailable(describe(), storage.bucket(), endpoint, operation, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        try {
            for (Blob blob : gcs.list(storage.bucket(), Storage.BlobListOption.prefix(rootPrefix + prefix)).iterateAll()) {
                String key = blob.getName().substring(rootPrefix.length());
                if (key.isEmpty() || key.endsWith("/")) continue; // folder placeholders of the console
                out.add(new ObjectInfo(key, blob.getSize() == null ? 0 : blob.getSize(), created(blob)));
            }
        } catch (RuntimeException e) {
            throw GcsErrors.io("LIST " + prefix, describe(), e);
        }
        return out;
    }

    private static Instant created(Blob blob) {
        var time = blob.getCreateTimeOffsetDateTime() != null ? blob.getCreateTimeOffsetDateTime() : blob.getUpdateTimeOffsetDateTime();
        return time == null ? Instant.EPOCH : time.toInstant();
    }

    @Override
    public InputStream open(String key) throws IOException {
        return openRange(key, 0, Long.MAX_VALUE);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) throw new IllegalArgumentException("negative range: " + offset + "+" + length);
        BlobId id = id(key);
        try {
            Blob blob = gcs.get(id);
            if (blob == null) throw new NoSuchObjectException(key);
            long size = blob.getSize() == null ? 0 : blob.getSize();
            if (length == 0 || offset >= size) return InputStream.nullInputStream();
            // read the generation just looked up, so a concurrent overwrite cannot mix two objects' bytes
            ReadChannel reader = gcs.reader(BlobId.of(id.getBucket(), id.getName(), blob.getGeneration()));
            if (offset > 0) reader.seek(offset);
            if (length < size - offset) reader.limit(offset + length);
            return Channels.newInputStream(reader);
        } catch (RuntimeException e) {
            if (GcsErrors.isNotFound(e)) throw new NoSuchObjectException(key);
            throw GcsErrors.io("GET " + key, describe(), e);
        }
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        BlobInfo info = BlobInfo.newBuilder(id(key)).setContentType(CONTENT_TYPE).build();
        long length = payload.length();
        try {
            if (length > options.singleRequestLimit()) {
                resumableUpload(info, payload);
                return;
            }
            // Small enough to hold: bytes can be re-sent when a try fails, a stream could not.
            byte[] bytes;
            try (InputStream in = payload.open()) {
                bytes = in.readNBytes((int) length);
            }
            if (bytes.length != length) throw new EOFException("payload ended before its declared length of " + length + " bytes");
            gcs.create(info, bytes, NO_GZIP);
        } catch (RuntimeException e) {
            throw GcsErrors.io("PUT " + key, describe(), e);
        }
    }

    /**
     * Streams the payload in chunks (one in memory; the library retries a failed chunk). The upload is
     * finalized by close() only when every byte was read: a payload that breaks leaves the session
     * unfinished, and GCS discards it, so no partial object ever appears.
     */
    private void resumableUpload(BlobInfo info, Payload payload) throws IOException {
        long length = payload.length();
        WriteChannel writer = gcs.writer(info, Storage.BlobWriteOption.disableGzipContent());
        writer.setChunkSize(options.chunkSize());
        byte[] buffer = new byte[64 * 1024];
        long remaining = length;
        try (InputStream in = payload.open()) {
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) throw new EOFException("payload ended before its declared length of " + length + " bytes");
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) writer.write(chunk);
                remaining -= n;
            }
        }
        writer.close();
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        for (String key : keys) {
            try {
                gcs.delete(id(key)); // false when it did not exist
            } catch (RuntimeException e) {
                if (GcsErrors.isNotFound(e)) continue;
                throw GcsErrors.io("DELETE " + key, describe(), e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            gcs.close();
        } catch (Exception e) {
            throw new IOException("closing the Google Cloud Storage client of " + describe() + " failed", e);
        }
    }

    private BlobId id(String key) {
        if (key.isEmpty() || key.startsWith("/")) throw new IllegalArgumentException("invalid replica key: " + key);
        return BlobId.of(storage.bucket(), rootPrefix + key);
    }
}
