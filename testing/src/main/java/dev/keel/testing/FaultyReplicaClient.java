package dev.keel.testing;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a real {@link ReplicaClient} and injects faults on demand: failing calls, slow calls,
 * corrupted reads, an outage. It also counts calls by kind so tests can check how much a component
 * talks to storage. All settings are thread-safe and may change while the wrapped client is in use.
 */
public final class FaultyReplicaClient implements ReplicaClient {
    /** The kinds of storage call that are counted and can be targeted by a fault. */
    public enum Operation { PUT, LIST, GET, DELETE }

    private final ReplicaClient delegate;
    private final Map<Operation, AtomicLong> calls = new EnumMap<>(Operation.class);
    private int failuresLeft;
    private Set<Operation> failOn = EnumSet.allOf(Operation.class);
    private Duration hang = Duration.ZERO;
    private int hangsLeft;
    private boolean offline;
    private boolean corruptReads;
    private volatile String lastWritten;

    public FaultyReplicaClient(ReplicaClient delegate) {
        this.delegate = delegate;
        for (Operation op : Operation.values()) calls.put(op, new AtomicLong());
    }

    public ReplicaClient delegate() {
        return delegate;
    }

    /** The next {@code count} calls of the given kinds (all kinds when none given) fail with IOException. */
    public synchronized FaultyReplicaClient failNext(int count, Operation... kinds) {
        failuresLeft = count;
        failOn = kinds.length == 0 ? EnumSet.allOf(Operation.class) : EnumSet.copyOf(List.of(kinds));
        return this;
    }

    /** The next {@code count} calls wait {@code duration} before they go through (interruptibly). */
    public synchronized FaultyReplicaClient hangNext(int count, Duration duration) {
        hangsLeft = count;
        hang = duration;
        return this;
    }

    /** While offline every call fails with IOException and verify() reports the storage unavailable. */
    public synchronized FaultyReplicaClient offline(boolean value) {
        offline = value;
        return this;
    }

    /** While set, every byte stream returned by open/openRange has its first byte flipped. */
    public synchronized FaultyReplicaClient corruptReads(boolean value) {
        corruptReads = value;
        return this;
    }

    /** Clears every fault (counters are kept). */
    public synchronized FaultyReplicaClient heal() {
        failuresLeft = 0;
        hangsLeft = 0;
        offline = false;
        corruptReads = false;
        return this;
    }

    /** Calls of one kind made so far, including failed ones. */
    public long calls(Operation kind) {
        return calls.get(kind).get();
    }

    public void resetCounts() {
        for (AtomicLong counter : calls.values()) counter.set(0);
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
        synchronized (this) {
            if (offline) {
                throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "replica is offline (injected fault)", describe(),
                        "heal the injected fault");
            }
        }
        delegate.verify();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        before(Operation.LIST);
        return delegate.list(prefix);
    }

    @Override
    public InputStream open(String key) throws IOException {
        boolean corrupt = before(Operation.GET);
        return corrupt ? new CorruptingStream(delegate.open(key)) : delegate.open(key);
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        boolean corrupt = before(Operation.GET);
        InputStream in = delegate.openRange(key, offset, length);
        return corrupt ? new CorruptingStream(in) : in;
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        before(Operation.PUT);
        delegate.write(key, payload);
        lastWritten = key;
    }

    /**
     * Deletes, on the real storage, the last object it acknowledged through this client, as a server that
     * crashes before making an acknowledged write durable loses it (Azurite killed with SIGKILL); returns
     * its key.
     */
    public String loseLastWrite() throws IOException {
        String key = lastWritten;
        if (key == null) throw new IllegalStateException("nothing was written through this client yet");
        delegate.delete(List.of(key));
        return key;
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        before(Operation.DELETE);
        delegate.delete(keys);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    /** Counts the call, applies hang and failure faults; returns whether its reads are to be corrupted. */
    private boolean before(Operation kind) throws IOException {
        calls.get(kind).incrementAndGet();
        Duration wait = Duration.ZERO;
        boolean corrupt;
        synchronized (this) {
            if (offline) throw new IOException("injected fault: replica offline during " + kind);
            if (hangsLeft > 0) {
                hangsLeft--;
                wait = hang;
            }
            corrupt = corruptReads;
        }
        if (!wait.isZero()) {
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted during injected hang of " + kind);
            }
        }
        synchronized (this) {
            if (failuresLeft > 0 && failOn.contains(kind)) {
                failuresLeft--;
                throw new IOException("injected fault: " + kind + " failed");
            }
        }
        return corrupt;
    }

    /** Flips every bit of the first byte it delivers. */
    private static final class CorruptingStream extends FilterInputStream {
        private boolean flipped;

        CorruptingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && !flipped) {
                flipped = true;
                return (~b) & 0xff;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && !flipped) {
                flipped = true;
                b[off] = (byte) ~b[off];
            }
            return n;
        }
    }
}
