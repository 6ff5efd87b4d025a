package dev.keel.storage.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.Replicator;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.Litestream;
import dev.keel.testing.ReplicationScenario;
import dev.keel.testing.SftpTestServer;
import dev.keel.testing.WriterLoad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keel and Litestream 0.3.13 against a real SFTP server (Apache MINA SSHD on 127.0.0.1): Keel
 * replicates while the application writes, and both Keel and Litestream restore the result; Keel
 * restores what Litestream wrote. (Litestream 0.3.13 does not check SFTP host keys; Keel does.)
 */
@Timeout(120)
class SftpEndToEndTest {
    @RegisterExtension
    static final SftpTestServer SERVER = new SftpTestServer();

    @TempDir
    Path dir;

    private static ReplicaStorage.Sftp freshStorage() {
        return SERVER.passwordStorage("/e2e/" + UUID.randomUUID());
    }

    private static String[] litestreamReplica(ReplicaStorage.Sftp storage) {
        return new String[] {"type: sftp", "host: " + SERVER.host() + ":" + SERVER.port(), "user: " + SERVER.user(),
                "password: " + SERVER.password(), "path: " + storage.path(), "sync-interval: 100ms"};
    }

    @Test
    void keelReplicatesWhileTheAppWritesAndKeelAndLitestreamRestoreTheSource() throws Exception {
        ReplicaStorage.Sftp storage = freshStorage();
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        try (Replicator r = ReplicationScenario.start(ReplicationScenario.database(db, storage), c -> ReplicaClients.open(c.storage()));
             WriterLoad writers = WriterLoad.start(db, 3, Duration.ofMillis(3), 5)) {
            Thread.sleep(4000);
            assertThat(writers.commits()).isGreaterThan(100);
        }
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            var catalog = ReplicaCatalog.load(client);
            var generation = catalog.latestGeneration().orElseThrow().generation();
            assertThat(catalog.walSegments(generation).stream().map(w -> w.index()).distinct().count())
                    .as("WAL indexes in the replica (checkpoints happened while writing)").isGreaterThan(2);
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("keel.db"));
        }
        Path config = Litestream.config(dir.resolve("litestream.yml"), db, litestreamReplica(storage));
        Path theirs = dir.resolve("litestream.db");
        Litestream.run(Map.of(), "restore", "-config", config.toString(), "-o", theirs.toString(), db.toString());
        ReplicationScenario.assertRestoredEquals(db, theirs);
    }

    @Test
    void keelRestoresWhatLitestreamReplicatedOverSftp() throws Exception {
        ReplicaStorage.Sftp storage = freshStorage();
        Path db = dir.resolve("app.db");
        Litestream.replicateUnderLoad(dir, db, Map.of(), 43, litestreamReplica(storage));
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            assertThat(ReplicaCatalog.load(client).latestGeneration()).as("Litestream's replica").isPresent();
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("keel.db"));
        }
    }
}
