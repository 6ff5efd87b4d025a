package dev.keel.replication.spi;

/**
 * Creates clients for one storage type; found through {@link java.util.ServiceLoader}, so a backend
 * module only has to be on the class path.
 */
public interface ReplicaClientProvider {
    /** The type this provider serves: "file", "s3", "sftp", "abs" or "gcs". */
    String type();

    /** A client for {@code storage}, whose {@code type()} equals {@link #type()}. Does no I/O. */
    ReplicaClient create(ReplicaStorage storage);
}
