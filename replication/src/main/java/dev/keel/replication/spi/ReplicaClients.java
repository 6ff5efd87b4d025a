package dev.keel.replication.spi;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.util.ServiceLoader;

/** Finds the provider for a storage type and opens a client. */
public final class ReplicaClients {
    private ReplicaClients() {
    }

    public static ReplicaClient open(ReplicaStorage storage) {
        for (ReplicaClientProvider provider : ServiceLoader.load(ReplicaClientProvider.class)) {
            if (provider.type().equals(storage.type())) {
                return provider.create(storage);
            }
        }
        throw new KeelException(ErrorCode.FAILURE, "no backend for replica type '" + storage.type() + "' is installed",
                storage.describe(), "use the full keel distribution, which includes file, s3, sftp and abs backends");
    }
}
