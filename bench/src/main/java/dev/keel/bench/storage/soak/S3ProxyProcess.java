package dev.keel.bench.storage.soak;

import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Path;

/** s3proxy (filesystem store) in its own JVM, see {@link S3ProxyMain}. */
final class S3ProxyProcess implements StorageServer {
    private static final String BUCKET = "soak";
    private static final String KEY_ID = "soak-access";
    private static final String SECRET = "soak-secret";
    private final int port = ServerProcess.freePort();
    private final Path log;
    private final ServerProcess process;

    S3ProxyProcess(Path dir) {
        this.log = dir.resolve("s3proxy.log");
        this.process = new ServerProcess("s3proxy", ServerProcess.java(S3ProxyMain.class, Integer.toString(port),
                dir.resolve("s3-data").toString(), KEY_ID, SECRET, BUCKET), port, log);
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public void start() throws Exception {
        process.start();
    }

    @Override
    public void kill() throws Exception {
        process.kill();
    }

    @Override
    public String replicaYaml(String path) {
        return """
                      - type: s3
                        bucket: %s
                        path: %s
                        endpoint: http://127.0.0.1:%d
                        region: us-east-1
                        force-path-style: true
                        access-key-id: %s
                        secret-access-key: %s
                        sync-interval: 500ms
                """.formatted(BUCKET, path, port, KEY_ID, SECRET);
    }

    @Override
    public ReplicaStorage storage(String path) {
        return new ReplicaStorage.S3(BUCKET, path, "us-east-1", "http://127.0.0.1:" + port, true, false, KEY_ID, SECRET);
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
