package dev.keel.testing;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.BlobServiceVersion;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Azurite blob service (Microsoft's Azure Storage emulator, installed from npm by
 * scripts/install-test-tools) run as a child process on 127.0.0.1 with a free port and a temp
 * workspace, so blobs survive {@link #stop()} / {@link #start()}. Use it as a static
 * {@code @RegisterExtension} field or by hand.
 */
public final class AzuriteServer implements TestServer {
    /** Azurite's fixed development account and its published key. */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final String BINARY = "node_modules/.bin/azurite-blob";
    private static final long START_TIMEOUT_MS = 30_000;

    private Path workDir;
    private Process process;
    private int port;

    /** Starts Azurite, on the port it had before when restarted. Does nothing when running. */
    @Override
    public synchronized AzuriteServer start() {
        if (process != null && process.isAlive()) return this;
        Path binary = locateBinary();
        try {
            if (workDir == null) workDir = Files.createTempDirectory("keel-azurite-");
            if (port == 0) port = S3TestServer.freePort();
            Path log = workDir.resolve("azurite.log");
            ProcessBuilder builder = new ProcessBuilder(List.of(binary.toString(),
                    "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port),
                    "--location", workDir.resolve("data").toString(),
                    "--skipApiVersionCheck", "--disableTelemetry", "--silent"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = builder.start();
            awaitListening(log);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Azurite from " + binary, e);
        }
    }

    private void awaitListening(Path log) throws IOException {
        ToolProcess.awaitReady(process, log, port, START_TIMEOUT_MS, "Azurite", () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    /** Stops the process; blobs are kept for a later {@link #start()}. */
    @Override
    public synchronized void stop() {
        if (process == null) return;
        ToolProcess.stop(process);
        process = null;
    }

    public int port() {
        return port;
    }

    /** The blob endpoint in Azurite's path style: http://127.0.0.1:PORT/devstoreaccount1 */
    public String endpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    /** Creates a container (idempotent) and returns its name. */
    public String createContainer(String name) {
        start();
        new BlobServiceClientBuilder()
                .endpoint(endpoint())
                .credential(new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY))
                .httpClient(new JdkHttpClientBuilder().build())
                .serviceVersion(BlobServiceVersion.V2025_11_05)
                .buildClient()
                .getBlobContainerClient(name)
                .createIfNotExists();
        return name;
    }

    /** Replica settings for {@code container}/{@code path} on this server with the account key. */
    public ReplicaStorage.Azure storage(String container, String path) {
        return new ReplicaStorage.Azure(ACCOUNT, ACCOUNT_KEY, null, container, path, endpoint());
    }

    /** Stops Azurite and deletes its workspace. */
    @Override
    public synchronized void close() {
        stop();
        if (workDir != null) S3TestServer.deleteTree(workDir);
        workDir = null;
    }

    /** azurite-blob from the tools directory (see {@link ToolProcess#locate}). */
    static Path locateBinary() {
        return ToolProcess.locate(BINARY, Files::isExecutable, "Azurite");
    }
}
