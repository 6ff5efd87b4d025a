package dev.keel.bench.storage.soak;

import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Path;

/** One backend for the outage soak: a real server in its own process that can crash and come back. */
public interface StorageServer extends AutoCloseable {
    /** "s3", "azure" or "sftp". */
    String name();

    /** Starts the server on its port with its data (again after a {@link #kill()}). */
    void start() throws Exception;

    /** SIGKILL, as a crash. */
    void kill() throws Exception;

    /** The replica entry of a keel.yml (under {@code replicas:}, indented 6) for the replica at {@code path}. */
    String replicaYaml(String path);

    /** The same replica, for reading it from this process. */
    ReplicaStorage storage(String path);

    /** The server's output. */
    Path log();

    @Override
    void close() throws Exception;

    /** The server named {@code backend} with its data under {@code dir}, not started. */
    static StorageServer create(String backend, Path dir) throws Exception {
        return switch (backend) {
            case "s3" -> new S3ProxyProcess(dir);
            case "azure" -> new AzuriteProcess(dir);
            case "sftp" -> new SftpProcess(dir);
            default -> throw new IllegalArgumentException("unknown backend " + backend + " (s3, azure, sftp)");
        };
    }
}
