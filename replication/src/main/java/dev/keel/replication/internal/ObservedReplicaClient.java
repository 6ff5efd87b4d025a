package dev.keel.replication.internal;

import dev.keel.replication.spi.ForwardingReplicaClient;
import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicationListener;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Tells the listener about every storage call of one replica (operation, bytes, failure), so metrics
 * count requests by kind without the backends knowing about metrics. A missing object is an answer,
 * not a failure. A read is reported when its stream is closed, with the bytes read.
 */
public final class ObservedReplicaClient extends ForwardingReplicaClient {
    private final Path db;
    private final String replica;
    private final ReplicationListener listener;

    private ObservedReplicaClient(ReplicaClient client, Path db, String replica, ReplicationListener listener) {
        super(client);
        this.db = db;
        this.replica = replica;
        this.listener = listener;
    }

    /** {@code client} reporting to {@code listener}; itself when nobody listens. */
    public static ReplicaClient of(ReplicaClient client, Path db, String replica, ReplicationListener listener) {
        return listener == ReplicationListener.NONE ? client : new ObservedReplicaClient(client, db, replica, listener);
    }

    private void report(String operation, long bytes, Throwable error) {
        try {
            listener.storageOperation(db, replica, delegate.type(), operation, bytes,
                    error instanceof NoSuchObjectException ? null : error);
        } catch (RuntimeException ignored) {
            // a listener must not break replication
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        try {
            List<ObjectInfo> out = delegate.list(prefix);
            report("LIST", 0, null);
            return out;
        } catch (IOException | RuntimeException e) {
            report("LIST", 0, e);
            throw e;
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return new CountedStream(delegate.open(key));
        } catch (IOException | RuntimeException e) {
            report("GET", 0, e);
            throw e;
        }
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        try {
            return new CountedStream(delegate.openRange(key, offset, length));
        } catch (IOException | RuntimeException e) {
            report("GET", 0, e);
            throw e;
        }
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        try {
            delegate.write(key, payload);
            report("PUT", payload.length(), null);
        } catch (IOException | RuntimeException e) {
            report("PUT", 0, e);
            throw e;
        }
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        try {
            delegate.delete(keys);
            report("DELETE", 0, null);
        } catch (IOException | RuntimeException e) {
            report("DELETE", 0, e);
            throw e;
        }
    }


    /** An object's bytes, counted; reported once, at close or at the first read failure. */
    private final class CountedStream extends FilterInputStream {
        private long bytes;
        private boolean reported;

        CountedStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b >= 0) bytes++;
                return b;
            } catch (IOException e) {
                once(e);
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                if (n > 0) bytes += n;
                return n;
            } catch (IOException e) {
                once(e);
                throw e;
            }
        }

        private void once(Throwable error) {
            if (reported) return;
            reported = true;
            report("GET", bytes, error);
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                once(null);
            }
        }
    }
}
