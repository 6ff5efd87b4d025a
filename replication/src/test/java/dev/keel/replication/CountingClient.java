package dev.keel.replication;

import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps a real client and counts every storage request by kind (verify, list, get, put, delete). */
final class CountingClient implements ReplicaClient {
    private final ReplicaClient real;
    final AtomicInteger verifies = new AtomicInteger();
    final AtomicInteger lists = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger deletes = new AtomicInteger();

    CountingClient(ReplicaClient real) {
        this.real = real;
    }

    int total() {
        return verifies.get() + lists.get() + gets.get() + puts.get() + deletes.get();
    }

    @Override
    public String toString() {
        return real.describe() + ": verify " + verifies + ", list " + lists + ", get " + gets + ", put " + puts + ", delete " + deletes;
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
    public void close() throws IOException {
        real.close();
    }
}
