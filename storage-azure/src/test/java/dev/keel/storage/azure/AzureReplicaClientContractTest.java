package dev.keel.storage.azure;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.testing.AzuriteServer;
import dev.keel.testing.ReplicaClientContract;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Azure Blob backend passes the contract suite against Azurite, with blocks small enough to be staged. */
class AzureReplicaClientContractTest extends ReplicaClientContract {
    @RegisterExtension
    static final AzuriteServer SERVER = new AzuriteServer();
    private static final String CONTAINER = "keel-contract";

    @Override
    protected ReplicaClient newClient() {
        SERVER.createContainer(CONTAINER);
        return new AzureReplicaClient(SERVER.storage(CONTAINER, "/replicas/" + UUID.randomUUID() + "/db/"),
                AzureOptions.defaults().withBlockSize(4 * 1024 * 1024), name -> null);
    }

    @Override
    protected Collection<String> secrets() {
        return List.of(AzuriteServer.ACCOUNT_KEY);
    }
}
