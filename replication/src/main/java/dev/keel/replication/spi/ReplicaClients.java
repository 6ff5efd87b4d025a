package dev.keel.replication.spi;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.util.ServiceLoader;

/** Finds the provider for a storage type and opens a client. */
public final class ReplicaClients {
    private ReplicaClients() {
    }

    /**
     * A client for a configured replica: its storage, read through the replica's age keys (plain frames
     * when it has none, with age files refused by a message that names them).
     */
    public static ReplicaClient open(dev.keel.replication.api.ReplicaConfig replica) {
        return dev.keel.replication.cipher.AgeReplicaClient.wrap(open(replica.storage()),
                dev.keel.replication.cipher.AgeCipher.of(replica.age()));
    }

    public static ReplicaClient open(ReplicaStorage storage) {
        for (ReplicaClientProvider provider : ServiceLoader.load(ReplicaClientProvider.class)) {
            if (provider.type().equals(storage.type())) {
                return provider.create(storage);
            }
        }
        throw new KeelException(ErrorCode.FAILURE, "no backend for replica type '" + storage.type() + "' is installed",
                storage.describe(), "use the full keel distribution, which includes file, s3, sftp, abs and gcs backends");
    }
}
