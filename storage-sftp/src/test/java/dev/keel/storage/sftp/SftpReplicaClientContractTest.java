package dev.keel.storage.sftp;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.testing.ReplicaClientContract;
import dev.keel.testing.SftpTestServer;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SFTP backend passes the contract suite against an in-process MINA SSHD server. */
class SftpReplicaClientContractTest extends ReplicaClientContract {
    @RegisterExtension
    static final SftpTestServer SERVER = new SftpTestServer();

    @Override
    protected ReplicaClient newClient() {
        return new SftpReplicaClient(SERVER.passwordStorage("/backups/" + UUID.randomUUID() + "/db"));
    }

    @Override
    protected Collection<String> secrets() {
        return List.of(SERVER.password());
    }
}
