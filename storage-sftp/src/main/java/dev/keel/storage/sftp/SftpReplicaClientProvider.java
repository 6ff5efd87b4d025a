package dev.keel.storage.sftp;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClientProvider;
import dev.keel.replication.spi.ReplicaStorage;

/** Registers the SFTP backend under type "sftp". */
public final class SftpReplicaClientProvider implements ReplicaClientProvider {
    @Override
    public String type() {
        return "sftp";
    }

    @Override
    public ReplicaClient create(ReplicaStorage storage) {
        return new SftpReplicaClient((ReplicaStorage.Sftp) storage);
    }
}
