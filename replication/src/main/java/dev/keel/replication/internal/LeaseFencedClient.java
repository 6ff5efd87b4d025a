package dev.keel.replication.internal;

import dev.keel.replication.spi.ForwardingReplicaClient;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.util.Collection;

/**
 * A replica's client whose writes and deletes start only while its {@link LeaseKeeper} says the lease is
 * surely held: every path that changes the replica (uploads, snapshots, retention) goes through it.
 */
final class LeaseFencedClient extends ForwardingReplicaClient {
    private final LeaseKeeper keeper;

    LeaseFencedClient(ReplicaClient client, LeaseKeeper keeper) {
        super(client);
        this.keeper = keeper;
    }

    /** The client without the fence (closing, the lease object itself). */
    ReplicaClient unfenced() {
        return delegate;
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        keeper.checkWritable();
        delegate.write(key, payload);
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        keeper.checkWritable();
        delegate.delete(keys);
    }
}
