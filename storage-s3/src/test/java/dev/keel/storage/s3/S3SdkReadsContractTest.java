package dev.keel.storage.s3;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.testing.ReplicaClientContract;
import dev.keel.testing.S3TestServer;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract again with direct reads off: the SDK client's read path, which every fallback takes, must pass it too. */
class S3SdkReadsContractTest extends ReplicaClientContract {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-contract-sdk";

    @Override
    protected ReplicaClient newClient() {
        SERVER.createBucket(BUCKET);
        return new S3ReplicaClient(SERVER.storage(BUCKET, "/replicas/" + UUID.randomUUID() + "/db/"),
                S3Options.defaults().withPartSize(S3Options.MIN_PART_SIZE).withDirectReads(false), name -> null);
    }

    @Override
    protected Collection<String> secrets() {
        return List.of(SERVER.secretAccessKey());
    }
}
