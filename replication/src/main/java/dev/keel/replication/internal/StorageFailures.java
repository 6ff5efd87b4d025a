package dev.keel.replication.internal;

import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;

/**
 * Tells a storage failure apart from a local one after the fact: the engine's replica clients are
 * wrapped so that every I/O failure inside a storage call (or a read of an object's stream) arrives
 * as a {@link StorageFailure} naming the replica. A failure to read or write Keel's own files stays a
 * plain {@link IOException}. The public API maps the first to STORAGE_UNAVAILABLE, the second to IO.
 * One blur is accepted: a client reads an upload's payload (a temp file Keel has just written) inside
 * {@code write}, so a local read failure there counts as the storage's.
 */
public final class StorageFailures {
    private StorageFailures() {
    }

    /** A storage call of one replica failed (unreachable, refused, timed out). */
    public static final class StorageFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final String replica;

        StorageFailure(String replica, IOException cause) {
            super(cause.getMessage(), cause);
            this.replica = replica;
        }

        /** The replica, as its client describes it. */
        public String replica() {
            return replica;
        }
    }

    /** The storage failure in {@code e}'s cause chain, or null when the failure was local. */
    public static StorageFailure find(Throwable e) {
        for (int depth = 0; e != null && depth < 8; e = e.getCause(), depth++) {
            if (e instanceof StorageFailure f) return f;
        }
        return null;
    }

    /** {@code client} with its failures marked; a missing object stays a {@link NoSuchObjectException}. */
    public static ReplicaClient marking(ReplicaClient client) {
        return client instanceof Marking ? client : new Marking(client);
    }

    private static final class Marking implements ReplicaClient {
        private final ReplicaClient client;

        Marking(ReplicaClient client) {
            this.client = client;
        }

        private IOException marked(IOException e) {
            return e instanceof NoSuchObjectException || e instanceof StorageFailure ? e : new StorageFailure(client.describe(), e);
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
                return client.list(prefix);
            } catch (IOException e) {
                throw marked(e);
            }
        }

        @Override
        public InputStream open(String key) throws IOException {
            try {
                return new MarkedStream(client.open(key));
            } catch (IOException e) {
                throw marked(e);
            }
        }

        @Override
        public InputStream openRange(String key, long offset, long length) throws IOException {
            try {
                return new MarkedStream(client.openRange(key, offset, length));
            } catch (IOException e) {
                throw marked(e);
            }
        }

        @Override
        public void write(String key, Payload payload) throws IOException {
            try {
                client.write(key, payload);
            } catch (IOException e) {
                throw marked(e);
            }
        }

        @Override
        public void delete(Collection<String> keys) throws IOException {
            try {
                client.delete(keys);
            } catch (IOException e) {
                throw marked(e);
            }
        }

        @Override
        public java.util.Optional<dev.keel.replication.spi.ConditionalObjects> conditionalObjects() {
            return client.conditionalObjects().map(c -> new dev.keel.replication.spi.ConditionalObjects() {
                @Override
                public Versioned read(String key) throws IOException {
                    try {
                        return c.read(key);
                    } catch (IOException e) {
                        throw marked(e);
                    }
                }

                @Override
                public String create(String key, byte[] bytes) throws IOException {
                    try {
                        return c.create(key, bytes);
                    } catch (IOException e) {
                        throw marked(e);
                    }
                }

                @Override
                public String replace(String key, byte[] bytes, String version) throws IOException {
                    try {
                        return c.replace(key, bytes, version);
                    } catch (IOException e) {
                        throw marked(e);
                    }
                }
            });
        }

        @Override
        public void close() throws IOException {
            client.close();
        }

        /** An object's bytes, whose read failures are the storage's. */
        private final class MarkedStream extends FilterInputStream {
            MarkedStream(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    throw marked(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (IOException e) {
                    throw marked(e);
                }
            }
        }
    }
}
