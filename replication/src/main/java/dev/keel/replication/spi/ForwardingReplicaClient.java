package dev.keel.replication.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A client that hands every call to another: wrappers (a fence, an observer, a fault for tests)
 * extend it and override only what they change, so a capability added to {@link ReplicaClient}
 * (such as {@link #conditionalObjects()}) reaches every wrapped client without each remembering it.
 */
public abstract class ForwardingReplicaClient implements ReplicaClient {
    protected final ReplicaClient delegate;

    protected ForwardingReplicaClient(ReplicaClient delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void verify() {
        delegate.verify();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return delegate.list(prefix);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return delegate.open(key);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        return delegate.openRange(key, offset, length);
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        delegate.write(key, payload);
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        delegate.delete(keys);
    }

    @Override
    public Optional<ConditionalObjects> conditionalObjects() {
        return delegate.conditionalObjects();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
