package dev.keel.storage.azure;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClientProvider;
import dev.keel.replication.spi.ReplicaStorage;

/** Registers the Azure Blob backend under type "abs". */
public final class AzureReplicaClientProvider implements ReplicaClientProvider {
    @Override
    public String type() {
        return "abs";
    }

    @Override
    public ReplicaClient create(ReplicaStorage storage) {
        return new AzureReplicaClient((ReplicaStorage.Azure) storage);
    }
}
