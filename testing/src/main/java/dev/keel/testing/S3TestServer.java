package dev.keel.testing;

import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * A real S3 server (s3proxy, in-process) on 127.0.0.1 with a filesystem blob store in a temp
 * directory, so objects survive {@link #stop()} / {@link #start()} on the same port. Note that
 * s3proxy lists the temp file of an upload whose connection broke ("key-UUID") as an object. Use it as a
 * static {@code @RegisterExtension} field (started before all tests, stopped after) or by hand.
 */
public final class S3TestServer implements TestServer {
    public static final String ACCESS_KEY_ID = "keel-test-access";
    private final String secretAccessKey = "keel-test-secret-" + UUID.randomUUID();
    private Path dataDir;
    private BlobStore blobStore;
    private S3Proxy proxy;
    private int port;

    /** Starts the server, on the port it had before when restarted. Does nothing when running. */
    @Override
    public synchronized S3TestServer start() {
        if (proxy != null) return this;
        try {
            if (dataDir == null) {
                dataDir = Files.createTempDirectory("keel-s3-");
                Properties props = new Properties();
                props.setProperty("jclouds.filesystem.basedir", dataDir.toString());
                props.setProperty("jclouds.identity", ACCESS_KEY_ID);
                props.setProperty("jclouds.credential", secretAccessKey);
                blobStore = BlobStores.create("filesystem", props);
            }
            if (port == 0) port = freePort();
            S3Proxy started = S3Proxy.builder()
                    .blobStore(blobStore)
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY_ID, secretAccessKey)
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .ignoreUnknownHeaders(true)
                    .stopTimeout(0)
                    .build();
            started.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!"STARTED".equals(started.getState())) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not start: " + started.getState());
                Thread.sleep(10);
            }
            proxy = started;
            return this;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not start s3proxy: " + e, e);
        }
    }

    /** Stops serving; stored objects are kept for a later {@link #start()}. */
    @Override
    public synchronized void stop() {
        if (proxy == null) return;
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop s3proxy: " + e, e);
        } finally {
            proxy = null;
        }
    }

    /** http://127.0.0.1:PORT */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKeyId() {
        return ACCESS_KEY_ID;
    }

    public String secretAccessKey() {
        return secretAccessKey;
    }

    /** Creates a bucket (idempotent) and returns its name. */
    public String createBucket(String name) {
        start();
        if (!blobStore.containerExists(name)) blobStore.createContainer(name);
        return name;
    }

    /** Replica settings for {@code bucket}/{@code path} on this server with its credentials. */
    public ReplicaStorage.S3 storage(String bucket, String path) {
        return new ReplicaStorage.S3(bucket, path, "us-east-1", endpoint(), true, false, ACCESS_KEY_ID, secretAccessKey);
    }

    /** Stops the server and deletes its data. */
    @Override
    public synchronized void close() {
        stop();
        if (blobStore != null) blobStore.close();
        blobStore = null;
        if (dataDir != null) deleteTree(dataDir);
        dataDir = null;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it is a temp directory
        }
    }
}
