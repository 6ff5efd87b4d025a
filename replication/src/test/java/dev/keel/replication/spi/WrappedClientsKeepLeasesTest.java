package dev.keel.replication.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.cipher.AgeCipher;
import dev.keel.replication.cipher.AgeReplicaClient;
import dev.keel.replication.internal.ObservedReplicaClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every wrapper the engine puts around a client (encryption, the server's observation) keeps the
 * storage's compare-and-swap, or the lease would silently be off for encrypted replicas and for a
 * replicator that serves metrics.
 */
class WrappedClientsKeepLeasesTest {
    @Test
    void encryptionAndObservationPassCompareAndSwapThrough(@TempDir Path dir) throws Exception {
        try (ReplicaClient file = ReplicaClients.open(new ReplicaStorage.File(dir))) {
            assertThat(file.conditionalObjects()).isPresent();
            ReplicaClient observed = ObservedReplicaClient.of(file, dir.resolve("app.db"), "local", new ReplicationListener() {
            });
            assertThat(observed).isNotSameAs(file);
            assertThat(observed.conditionalObjects()).isPresent();
            assertThat(AgeReplicaClient.wrap(file, AgeCipher.of(null)).conditionalObjects()).isPresent();
        }
    }
}
