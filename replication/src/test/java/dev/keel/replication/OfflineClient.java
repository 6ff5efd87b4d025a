package dev.keel.replication;

import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real client; while offline every storage call fails like an unreachable server, and writes
 * are counted (the testing module's FaultyReplicaClient depends on this module, so tests here use this).
 */
final class OfflineClient implements ReplicaClient {
    private final ReplicaClient real;
    private volatile boolean offline;
    private volatile boolean writesFail;
    final AtomicInteger writes = new AtomicInteger();
    private volatile String lastWritten;

    OfflineClient(ReplicaClient real) {
        this.real = real;
    }

    OfflineClient offline(boolean value) {
        offline = value;
        return this;
    }

    /** Only writes fail (listings work): a server that lets Keel learn the replica holds nothing, then goes down. */
    OfflineClient writesFail(boolean value) {
        writesFail = value;
        return this;
    }

    private void check(String what) throws IOException {
        if (offline) throw new IOException("connection refused: replica unreachable (storage offline during " + what + ")");
    }

    @Override
    public String type() {
        return real.type();
    }

    @Override
    public String describe() {
        return real.describe();
    }

    @Override
    public void verify() {
        real.verify();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        check("list");
        return real.list(prefix);
    }

    @Override
    public InputStream open(String key) throws IOException {
        check("get");
        return real.open(key);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        check("get");
        return real.openRange(key, offset, length);
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        writes.incrementAndGet();
        if (writesFail) throw new IOException("connection refused: replica unreachable (storage offline during put " + key + ")");
        check("put " + key);
        real.write(key, payload);
        lastWritten = key;
    }

    /**
     * Deletes the last object the real storage acknowledged, as a server that crashes before making an
     * acknowledged write durable loses it (Azurite killed with SIGKILL); returns its key.
     */
    String loseLastWrite() throws IOException {
        String key = lastWritten;
        if (key == null) throw new IllegalStateException("nothing was written yet");
        real.delete(List.of(key));
        return key;
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        check("delete");
        real.delete(keys);
    }

    @Override
    public void close() throws IOException {
        real.close();
    }
}
