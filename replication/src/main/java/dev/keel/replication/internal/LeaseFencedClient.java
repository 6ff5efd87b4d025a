package dev.keel.replication.internal;

import dev.keel.replication.spi.ConditionalObjects;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A replica's client whose writes and deletes start only while its {@link LeaseKeeper} says the lease is
 * surely held: every path that changes the replica (uploads, snapshots, retention) goes through it.
 */
final class LeaseFencedClient implements ReplicaClient {
    private final ReplicaClient client;
    private final LeaseKeeper keeper;

    LeaseFencedClient(ReplicaClient client, LeaseKeeper keeper) {
        this.client = client;
        this.keeper = keeper;
    }

    /** The client without the fence (closing, the lease object itself). */
    ReplicaClient unfenced() {
        return client;
    }

    @Override
    public String type() {
        return client.type();
    }

    @Override
    public String describe() {
        return client.describe();
    }

    @Override
    public void verify() {
        client.verify();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return client.list(prefix);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return client.open(key);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        return client.openRange(key, offset, length);
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        keeper.checkWritable();
        client.write(key, payload);
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        keeper.checkWritable();
        client.delete(keys);
    }

    @Override
    public Optional<ConditionalObjects> conditionalObjects() {
        return client.conditionalObjects();
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
