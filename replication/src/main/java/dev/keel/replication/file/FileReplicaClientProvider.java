package dev.keel.replication.file;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClientProvider;
import dev.keel.replication.spi.ReplicaStorage;

/** Registers the directory backend under type "file". */
public final class FileReplicaClientProvider implements ReplicaClientProvider {
    @Override
    public String type() {
        return "file";
    }

    @Override
    public ReplicaClient create(ReplicaStorage storage) {
        return new FileReplicaClient(((ReplicaStorage.File) storage).root());
    }
}
