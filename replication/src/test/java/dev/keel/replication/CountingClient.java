package dev.keel.replication;

import dev.keel.replication.spi.ConditionalObjects;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real client and counts every storage request by kind (verify, list, get, put, delete, and the
 * lease's conditional reads and writes), passing its compare-and-swap on so that leases stay on. Shared with
 * other modules' tests through this module's test jar.
 */
public class CountingClient implements ReplicaClient {
    private final ReplicaClient real;
    public final AtomicInteger verifies = new AtomicInteger();
    public final AtomicInteger lists = new AtomicInteger();
    public final AtomicInteger gets = new AtomicInteger();
    public final AtomicInteger puts = new AtomicInteger();
    public final AtomicInteger deletes = new AtomicInteger();
    public final AtomicInteger leaseReads = new AtomicInteger();
    public final AtomicInteger leaseWrites = new AtomicInteger();

    public CountingClient(ReplicaClient real) {
        this.real = real;
    }

    public int total() {
        return verifies.get() + lists.get() + gets.get() + puts.get() + deletes.get() + leaseReads.get() + leaseWrites.get();
    }

    @Override
    public String toString() {
        return real.describe() + ": verify " + verifies + ", list " + lists + ", get " + gets + ", put " + puts + ", delete " + deletes
                + ", lease get " + leaseReads + ", lease put " + leaseWrites;
    }

    @Override
    public String type() {
        return real.type();
    }

    @Override
    public String describe() {
        return real.describe();
    }

    @Override
    public void verify() {
        verifies.incrementAndGet();
        real.verify();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        lists.incrementAndGet();
        return real.list(prefix);
    }

    @Override
    public InputStream open(String key) throws IOException {
        gets.incrementAndGet();
        return real.open(key);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        gets.incrementAndGet();
        return real.openRange(key, offset, length);
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        puts.incrementAndGet();
        real.write(key, payload);
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        deletes.incrementAndGet();
        real.delete(keys);
    }

    @Override
    public Optional<ConditionalObjects> conditionalObjects() {
        return real.conditionalObjects().map(c -> new ConditionalObjects() {
            @Override
            public Versioned read(String key) throws IOException {
                leaseReads.incrementAndGet();
                return c.read(key);
            }

            @Override
            public String create(String key, byte[] bytes) throws IOException {
                leaseWrites.incrementAndGet();
                return c.create(key, bytes);
            }

            @Override
            public String replace(String key, byte[] bytes, String version) throws IOException {
                leaseWrites.incrementAndGet();
                return c.replace(key, bytes, version);
            }
        });
    }

    /** Sets every count back to zero. */
    public void reset() {
        for (AtomicInteger a : List.of(verifies, lists, gets, puts, deletes, leaseReads, leaseWrites)) a.set(0);
    }

    @Override
    public void close() throws IOException {
        real.close();
    }
}
