package dev.keel.replication.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;

/**
 * Moves bytes to and from one replica root on one storage backend. It knows nothing of
 * generations, positions, retention or restore planning: those live above it and speak in keys
 * made by {@link dev.keel.replication.api.ReplicaLayout}.
 *
 * <p>Keys are relative to the replica root, use '/' as separator and never start with '/'.
 * Implementations must be safe for concurrent use by several threads. Transient failures are
 * reported as {@link IOException}; callers retry.
 */
public interface ReplicaClient extends AutoCloseable {
    /** The backend's type name as used in config files: "file", "s3", "sftp", "abs", "gcs". */
    String type();

    /** Where this client points, for messages and listings; never contains credentials. */
    String describe();

    /**
     * Checks once, at startup, that the replica is reachable and writable with the given credentials;
     * throws a {@link dev.keel.core.KeelException} naming the replica and saying what to fix. When the
     * server cannot be reached at all, the exception's causes must hold the network failure
     * ({@link java.net.ConnectException}, {@link java.net.SocketTimeoutException}, ...): replication then
     * starts anyway and uploads once the server answers, while a refusal (credentials, a missing bucket)
     * stops the start.
     */
    void verify();

    /** Every object whose key starts with {@code prefix} (recursively), in no particular order. */
    List<ObjectInfo> list(String prefix) throws IOException;

    /** Reads a whole object; {@link NoSuchObjectException} when it does not exist. */
    InputStream open(String key) throws IOException;

    /** Reads {@code length} bytes from {@code offset}; fewer only at the end of the object. */
    InputStream openRange(String key, long offset, long length) throws IOException;

    /**
     * Stores an object. The object becomes visible whole or not at all, replacing any object with the
     * same key. Returns only when the storage acknowledged it durably.
     */
    void write(String key, Payload payload) throws IOException;

    /** Deletes objects; keys that do not exist are ignored. */
    void delete(Collection<String> keys) throws IOException;

    /**
     * Compare-and-swap on small objects, when this storage makes it atomic (what a lease needs); empty
     * when it cannot (SFTP). Wrappers must pass it on, with their own key mapping.
     */
    default java.util.Optional<ConditionalObjects> conditionalObjects() {
        return java.util.Optional.empty();
    }

    @Override
    default void close() throws IOException {
    }
}
