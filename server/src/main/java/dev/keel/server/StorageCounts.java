package dev.keel.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Storage calls by backend type and operation (GET, PUT, DELETE, LIST): done, failed, bytes. */
final class StorageCounts {
    /** One backend type and operation. */
    record Key(String type, String operation) {
    }

    /** Counters of one key. */
    static final class Counts {
        final LongAdder done = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder bytes = new LongAdder();
    }

    private final Map<Key, Counts> counts = new ConcurrentHashMap<>();

    void record(String type, String operation, long bytes, boolean failed) {
        Counts c = counts.computeIfAbsent(new Key(type, operation), k -> new Counts());
        if (failed) {
            c.failed.increment();
        } else {
            c.done.increment();
            c.bytes.add(bytes);
        }
    }

    List<Map.Entry<Key, Counts>> entries() {
        return List.copyOf(counts.entrySet());
    }
}
