package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.Litestream;
import dev.keel.testing.ReplicationScenario;
import dev.keel.testing.S3TestServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keel and Litestream 0.3.13 against a real S3 server (s3proxy on 127.0.0.1): Keel replicates while the
 * application writes, and both Keel and Litestream restore the result; Keel restores what Litestream wrote.
 */
@Timeout(120)
class S3EndToEndTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-e2e";

    @TempDir
    Path dir;

    @BeforeAll
    static void createBucket() {
        SERVER.createBucket(BUCKET); // the server itself is started and stopped by the extension
    }

    private static ReplicaStorage.S3 freshStorage() {
        return SERVER.storage(BUCKET, "e2e-" + UUID.randomUUID());
    }

    /** Litestream replica keys for the same bucket and path; credentials go through the environment. */
    private static String[] litestreamReplica(ReplicaStorage.S3 storage) {
        return new String[] {"type: s3", "bucket: " + storage.bucket(), "path: " + storage.path(), "endpoint: " + SERVER.endpoint(),
                "region: us-east-1", "force-path-style: true", "sync-interval: 100ms"};
    }

    private static Map<String, String> credentials() {
        return Map.of("LITESTREAM_ACCESS_KEY_ID", SERVER.accessKeyId(), "LITESTREAM_SECRET_ACCESS_KEY", SERVER.secretAccessKey());
    }

    @Test
    void keelReplicatesWhileTheAppWritesAndKeelAndLitestreamRestoreTheSource() throws Exception {
        ReplicaStorage.S3 storage = freshStorage();
        Litestream.assertKeelReplicaRestoresInBoth(dir, storage, c -> ReplicaClients.open(c.storage()),
                () -> ReplicaClients.open(storage), credentials(), litestreamReplica(storage));
    }

    @Test
    void keelRestoresWhatLitestreamReplicatedToS3() throws Exception {
        ReplicaStorage.S3 storage = freshStorage();
        Path db = dir.resolve("app.db");
        Litestream.replicateUnderLoad(dir, db, credentials(), 42, litestreamReplica(storage));
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            assertThat(ReplicaCatalog.load(client).latestGeneration()).as("Litestream's replica").isPresent();
            ReplicationScenario.assertKeelRestoreEquals(client, db, dir.resolve("keel.db"));
        }
    }
}
