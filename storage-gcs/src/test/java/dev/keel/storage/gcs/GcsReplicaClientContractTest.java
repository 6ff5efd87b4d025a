package dev.keel.storage.gcs;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.testing.GcsEmulator;
import dev.keel.testing.ReplicaClientContract;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The GCS backend passes the contract suite against the Cloud Storage emulator. The large object goes
 * up as a resumable upload in one chunk: the emulator finalizes a resumable upload at its first request.
 */
class GcsReplicaClientContractTest extends ReplicaClientContract {
    @RegisterExtension
    static final GcsEmulator SERVER = new GcsEmulator();

    @Override
    protected ReplicaClient newClient() {
        return new GcsReplicaClient(SERVER.storage("keel-contract", "/replicas/" + UUID.randomUUID() + "/db/"),
                GcsOptions.defaults().withChunkSize(32 * 1024 * 1024), SERVER.environment());
    }
}
