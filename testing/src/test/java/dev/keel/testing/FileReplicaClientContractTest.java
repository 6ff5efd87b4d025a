package dev.keel.testing;

import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.spi.ReplicaClient;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The directory backend passes the contract suite. */
class FileReplicaClientContractTest extends ReplicaClientContract {
    @TempDir
    Path root;

    @Override
    protected ReplicaClient newClient() {
        return new FileReplicaClient(root.resolve("replica"));
    }
}
