package dev.keel.replication.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * One database's replica inside a replica that holds many (a fleet's prefix): every key is the
 * parent's key below {@code path}. Lets one storage client (one S3 connection pool, one SFTP
 * session) serve every database of a fleet. Closing it leaves the parent open.
 */
public final class PrefixedReplicaClient implements ReplicaClient {
    private final ReplicaClient parent;
    private final String prefix;
    private final String description;

    private PrefixedReplicaClient(ReplicaClient parent, String prefix, String description) {
        this.parent = parent;
        this.prefix = prefix;
        this.description = description;
    }

    /**
     * The replica at {@code path} below {@code parent}'s root. The path must be relative and plain
     * ({@link RelativeReplicaPath#problem} finds nothing wrong with it): the caller validates names
     * that came from a listing before it gets here.
     */
    public static PrefixedReplicaClient under(ReplicaClient parent, String path) {
        Objects.requireNonNull(parent, "parent");
        String problem = RelativeReplicaPath.problem(path);
        if (problem != null) throw new IllegalArgumentException("invalid replica path '" + path + "': " + problem);
        return new PrefixedReplicaClient(parent, path + "/", null);
    }

    /**
     * The same, described as {@code description} in messages: the storage's own description of the
     * database's replica (for S3, the endpoint stays after the whole path).
     */
    public static PrefixedReplicaClient under(ReplicaClient parent, String path, String description) {
        PrefixedReplicaClient c = under(parent, path);
        return new PrefixedReplicaClient(c.parent, c.prefix, Objects.requireNonNull(description, "description"));
    }

    @Override
    public String type() {
        return parent.type();
    }

    @Override
    public String describe() {
        if (description != null) return description;
        String p = parent.describe();
        return (p.endsWith("/") ? p : p + "/") + prefix.substring(0, prefix.length() - 1);
    }

    @Override
    public void verify() {
        parent.verify();
    }

    @Override
    public List<ObjectInfo> list(String keyPrefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        for (ObjectInfo o : parent.list(prefix + keyPrefix)) {
            if (o.key().startsWith(prefix)) out.add(new ObjectInfo(o.key().substring(prefix.length()), o.size(), o.lastModified()));
        }
        return out;
    }

    @Override
    public InputStream open(String key) throws IOException {
        return parent.open(prefix + key);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        return parent.openRange(prefix + key, offset, length);
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        parent.write(prefix + key, payload);
    }

    @Override
    public java.util.Optional<ConditionalObjects> conditionalObjects() {
        return parent.conditionalObjects().map(c -> new ConditionalObjects() {
            @Override
            public Versioned read(String key) throws IOException {
                return c.read(prefix + key);
            }

            @Override
            public String create(String key, byte[] bytes) throws IOException {
                return c.create(prefix + key, bytes);
            }

            @Override
            public String replace(String key, byte[] bytes, String version) throws IOException {
                return c.replace(prefix + key, bytes, version);
            }
        });
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        List<String> full = new ArrayList<>(keys.size());
        for (String k : keys) full.add(prefix + k);
        parent.delete(full);
    }
}
