package dev.keel.storage.gcs;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClientProvider;
import dev.keel.replication.spi.ReplicaStorage;

/** Registers the Google Cloud Storage backend under type "gcs". */
public final class GcsReplicaClientProvider implements ReplicaClientProvider {
    @Override
    public String type() {
        return "gcs";
    }

    @Override
    public ReplicaClient create(ReplicaStorage storage) {
        return new GcsReplicaClient((ReplicaStorage.Gcs) storage);
    }
}
