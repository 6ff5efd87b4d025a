package dev.keel.storage.s3;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClientProvider;
import dev.keel.replication.spi.ReplicaStorage;

/** Registers the S3 backend under type "s3". */
public final class S3ReplicaClientProvider implements ReplicaClientProvider {
    @Override
    public String type() {
        return "s3";
    }

    @Override
    public ReplicaClient create(ReplicaStorage storage) {
        return new S3ReplicaClient((ReplicaStorage.S3) storage);
    }
}
