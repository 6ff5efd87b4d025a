package dev.keel.server;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.TreeMap;

/**
 * When each stretch of a database's shadow WAL was copied, so a replica's lag is "how long ago was the
 * oldest commit it does not hold yet", and how long each WAL index grew, so its lag in bytes can be
 * summed across indexes. Bounded: past {@value #MAX_MARKS} marks, neighbours are merged keeping the
 * earlier time (the lag it reports can only be a little too high, never too low). Not thread-safe: its
 * database's state guards it.
 */
final class LagHistory {
    static final int MAX_MARKS = 256;
    static final int MAX_INDEXES = 64;

    /** The shadow WAL ended at {@code index/offset} from {@code nanos} on. */
    private record Mark(long index, long offset, long nanos) {
    }

    private Generation generation;
    private long generationNanos;
    private final ArrayDeque<Mark> marks = new ArrayDeque<>();
    private final TreeMap<Long, Long> indexEnds = new TreeMap<>();

    /** A new generation began at {@code nanos}: nothing of it is on any replica yet. */
    void generation(Generation g, long nanos) {
        if (g.equals(generation)) return;
        generation = g;
        generationNanos = nanos;
        marks.clear();
        indexEnds.clear();
    }

    /**
     * The shadow WAL grew to {@code end} at {@code nanos}; a generation not announced began before the
     * server followed the database, at {@code followedNanos} as far as it can tell.
     */
    void copied(Position end, long nanos, long followedNanos) {
        generation(end.generation(), followedNanos);
        marks.addLast(new Mark(end.index(), end.offset(), nanos));
        indexEnds.merge(end.index(), end.offset(), Math::max);
        while (indexEnds.size() > MAX_INDEXES) indexEnds.pollFirstEntry();
        if (marks.size() > MAX_MARKS) coarsen();
    }

    /** Halves the marks: each pair becomes the later position with the earlier time. */
    private void coarsen() {
        ArrayDeque<Mark> merged = new ArrayDeque<>();
        Iterator<Mark> it = marks.iterator();
        while (it.hasNext()) {
            Mark a = it.next();
            Mark b = it.hasNext() ? it.next() : null;
            merged.addLast(b == null ? a : new Mark(b.index(), b.offset(), a.nanos()));
        }
        marks.clear();
        marks.addAll(merged);
    }

    /** Forgets marks every replica holds ({@code slowest} is the least any replica acknowledged; null keeps all). */
    void acknowledged(Position slowest) {
        if (slowest == null || !slowest.generation().equals(generation)) return;
        while (!marks.isEmpty() && !after(marks.peekFirst(), slowest)) marks.removeFirst();
    }

    private static boolean after(Mark m, Position p) {
        return m.index() > p.index() || (m.index() == p.index() && m.offset() > p.offset());
    }

    /**
     * Nanoseconds a replica at {@code replica} has been missing commits at {@code now}; 0 when it holds
     * {@code head}. Behind by what was there before these marks began: since {@code followedNanos}.
     */
    long lagNanos(Position replica, Position head, long followedNanos, long now) {
        if (head == null || head.equals(replica)) return 0;
        if (replica == null || !replica.generation().equals(head.generation())) {
            long since = head.generation().equals(generation) ? generationNanos : followedNanos;
            return Math.max(0, now - since);
        }
        for (Mark m : marks) {
            if (after(m, replica)) return Math.max(0, now - m.nanos());
        }
        return Math.max(0, now - followedNanos);
    }

    /** Bytes of WAL a replica at {@code replica} is missing (to the head of the current generation). */
    long lagBytes(Position replica, Position head) {
        if (head == null || head.equals(replica)) return 0;
        if (replica == null || !replica.generation().equals(head.generation())) {
            long all = 0;
            for (long i = 0; i < head.index(); i++) all += indexEnds.getOrDefault(i, 0L);
            return all + head.offset();
        }
        if (replica.index() == head.index()) return Math.max(0, head.offset() - replica.offset());
        long bytes = Math.max(0, indexEnds.getOrDefault(replica.index(), replica.offset()) - replica.offset());
        for (long i = replica.index() + 1; i < head.index(); i++) bytes += indexEnds.getOrDefault(i, 0L);
        return bytes + head.offset();
    }
}
