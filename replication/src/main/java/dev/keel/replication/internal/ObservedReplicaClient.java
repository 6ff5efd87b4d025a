package dev.keel.replication.internal;

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
public final class ObservedReplicaClient implements ReplicaClient {
    private final ReplicaClient client;
    private final Path db;
    private final String replica;
    private final ReplicationListener listener;

    private ObservedReplicaClient(ReplicaClient client, Path db, String replica, ReplicationListener listener) {
        this.client = client;
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
            listener.storageOperation(db, replica, client.type(), operation, bytes,
                    error instanceof NoSuchObjectException ? null : error);
        } catch (RuntimeException ignored) {
            // a listener must not break replication
        }
    }

    @Override
    public String type() {
        return client.type();
    }

    @Override
    public String describe() {
        return client.describe();
    }

    @Override
    public void verify() {
        client.verify();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        try {
            List<ObjectInfo> out = client.list(prefix);
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
            return new CountedStream(client.open(key));
        } catch (IOException | RuntimeException e) {
            report("GET", 0, e);
            throw e;
        }
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        try {
            return new CountedStream(client.openRange(key, offset, length));
        } catch (IOException | RuntimeException e) {
            report("GET", 0, e);
            throw e;
        }
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        try {
            client.write(key, payload);
            report("PUT", payload.length(), null);
        } catch (IOException | RuntimeException e) {
            report("PUT", 0, e);
            throw e;
        }
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        try {
            client.delete(keys);
            report("DELETE", 0, null);
        } catch (IOException | RuntimeException e) {
            report("DELETE", 0, e);
            throw e;
        }
    }

    /** The lease record is plain text beside the replica's files: passed through as it is. */
    @Override
    public java.util.Optional<dev.keel.replication.spi.ConditionalObjects> conditionalObjects() {
        return client.conditionalObjects();
    }

    @Override
    public void close() throws IOException {
        client.close();
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
