package dev.keel.bench.storage.soak;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.BlobServiceVersion;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.AzuriteServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Azurite's blob service (a node process from the tools directory), killed with SIGKILL. */
final class AzuriteProcess implements StorageServer {
    private static final String CONTAINER = "soak";
    private final int port = ServerProcess.freePort();
    private final Path log;
    private final ServerProcess process;
    private boolean containerMade;

    AzuriteProcess(Path dir) {
        Path binary = Path.of(System.getProperty("keel.tools.dir", ".tools"), "node_modules/.bin/azurite-blob");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("Azurite is not installed at " + binary + "; run scripts/install-test-tools");
        }
        this.log = dir.resolve("azurite.log");
        this.process = new ServerProcess("azurite", List.of(binary.toString(), "--blobHost", "127.0.0.1",
                "--blobPort", Integer.toString(port), "--location", dir.resolve("azurite-data").toString(),
                "--skipApiVersionCheck", "--disableTelemetry", "--silent"), port, log);
    }

    @Override
    public String name() {
        return "azure";
    }

    @Override
    public void start() throws Exception {
        process.start();
        if (!containerMade) {
            new BlobServiceClientBuilder().endpoint(endpoint())
                    .credential(new StorageSharedKeyCredential(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY))
                    .httpClient(new JdkHttpClientBuilder().build()).serviceVersion(BlobServiceVersion.V2025_11_05)
                    .buildClient().getBlobContainerClient(CONTAINER).createIfNotExists();
            containerMade = true;
        }
    }

    private String endpoint() {
        return "http://127.0.0.1:" + port + "/" + AzuriteServer.ACCOUNT;
    }

    @Override
    public void kill() throws Exception {
        process.kill();
    }

    @Override
    public String replicaYaml(String path) {
        return """
                      - type: abs
                        bucket: %s
                        path: %s
                        endpoint: %s
                        account-name: %s
                        account-key: %s
                        sync-interval: 500ms
                """.formatted(CONTAINER, path, endpoint(), AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY);
    }

    @Override
    public ReplicaStorage storage(String path) {
        return new ReplicaStorage.Azure(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY, null, CONTAINER, path, endpoint());
    }

    @Override
    public Path log() {
        return log;
    }

    @Override
    public void close() throws Exception {
        process.kill();
    }
}
