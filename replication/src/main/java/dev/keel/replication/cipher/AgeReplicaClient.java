package dev.keel.replication.cipher;

import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A replica client whose whole-object reads go through the replica's {@link AgeCipher}: callers above it
 * (restore, the replica's position, validation) see LZ4 frames whether or not the replica is encrypted.
 * Writes pass through unchanged: uploads are encrypted once as they are compressed, so a payload is
 * never encrypted twice or with two file keys across retries. {@link #openRange} returns stored bytes.
 */
public final class AgeReplicaClient implements ReplicaClient {
    private final ReplicaClient inner;
    private final AgeCipher cipher;

    private AgeReplicaClient(ReplicaClient inner, AgeCipher cipher) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    /** {@code client} reading through {@code cipher}; a client already wrapped gets the new cipher instead. */
    public static AgeReplicaClient wrap(ReplicaClient client, AgeCipher cipher) {
        ReplicaClient raw = client instanceof AgeReplicaClient a ? a.inner : client;
        return new AgeReplicaClient(raw, cipher);
    }

    public AgeCipher cipher() {
        return cipher;
    }

    @Override
    public String type() {
        return inner.type();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void verify() {
        inner.verify();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return inner.list(prefix);
    }

    @Override
    public InputStream open(String key) throws IOException {
        InputStream in = inner.open(key);
        String object = inner.describe();
        return cipher.decrypting(in, (object.endsWith("/") ? object : object + "/") + key);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        return inner.openRange(key, offset, length);
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        inner.write(key, payload);
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        inner.delete(keys);
    }

    /** The lease record is plain text beside the replica's files: passed through as it is. */
    @Override
    public java.util.Optional<dev.keel.replication.spi.ConditionalObjects> conditionalObjects() {
        return inner.conditionalObjects();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
