package dev.keel.replication.cipher;

import dev.keel.replication.spi.ForwardingReplicaClient;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A replica client whose whole-object reads go through the replica's {@link AgeCipher}: callers above it
 * (restore, the replica's position, validation) see LZ4 frames whether or not the replica is encrypted.
 * Writes pass through unchanged: uploads are encrypted once as they are compressed, so a payload is
 * never encrypted twice or with two file keys across retries. {@link #openRange} returns stored bytes.
 */
public final class AgeReplicaClient extends ForwardingReplicaClient {
    private final AgeCipher cipher;

    private AgeReplicaClient(ReplicaClient inner, AgeCipher cipher) {
        super(inner);
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    /** {@code client} reading through {@code cipher}; a client already wrapped gets the new cipher instead. */
    public static AgeReplicaClient wrap(ReplicaClient client, AgeCipher cipher) {
        ReplicaClient raw = client instanceof AgeReplicaClient a ? a.delegate : client;
        return new AgeReplicaClient(raw, cipher);
    }

    public AgeCipher cipher() {
        return cipher;
    }

    /**
     * Whole objects (snapshots, WAL segments) are decrypted as they are read; ranges, listings, writes
     * (already encrypted by the uploader) and the lease record pass through as they are.
     */
    @Override
    public InputStream open(String key) throws IOException {
        InputStream in = delegate.open(key);
        String object = delegate.describe();
        return cipher.decrypting(in, (object.endsWith("/") ? object : object + "/") + key);
    }
}
