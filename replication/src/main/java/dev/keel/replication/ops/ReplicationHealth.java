package dev.keel.replication.ops;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Whether every database is replicated, learnt from the engine's events: each commit Keel copies is
 * remembered with the time it was copied until every replica of its database acknowledged it. A
 * database is replicated within an interval when no commit copied longer ago than that is still
 * unacknowledged by one of its replicas; an idle database whose replicas hold everything counts as
 * replicated, and so does a busy one whose replicas stay a few seconds behind. A replica is known from
 * its first upload or failure; until one of its database's replicas is known, nothing of it counts as
 * acknowledged. Safe for concurrent events; memory is bounded per database.
 */
public final class ReplicationHealth implements ReplicationListener {
    /** Commits remembered per database; past it the newest entry absorbs later commits and keeps its older time. */
    static final int MAX_PENDING = 1024;

    /** The answer of {@link #check}: everything replicated, or the first replica found lagging. */
    public sealed interface Verdict {
        /** Every commit copied before the interval is on every replica. */
        record Replicated() implements Verdict {
        }

        /**
         * {@code replica} of {@code db} (null when no replica acknowledged anything yet) has not acknowledged a
         * commit copied {@code behind} ago, at {@code position}.
         */
        record Lagging(Path db, String replica, Position position, Duration behind) implements Verdict {
        }
    }

    private record Pending(Position end, long copiedAtNanos) {
    }

    /** One database's unacknowledged commits and its replicas' acknowledged positions. */
    private static final class State {
        final ArrayDeque<Pending> pending = new ArrayDeque<>();
        final Map<String, Position> acked = new HashMap<>();
    }

    private final Map<Path, State> databases = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public ReplicationHealth() {
        this(System::nanoTime);
    }

    ReplicationHealth(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    private State state(Path db) {
        return databases.computeIfAbsent(db, k -> new State());
    }

    @Override
    public void walCopied(Path db, Position end, long bytes) {
        State s = state(db);
        synchronized (s) {
            if (s.pending.size() >= MAX_PENDING) {
                // Conservative: the later commits take the older time, so a lag is never understated.
                s.pending.addLast(new Pending(end, s.pending.removeLast().copiedAtNanos()));
            } else {
                s.pending.addLast(new Pending(end, nanoTime.getAsLong()));
            }
        }
    }

    /**
     * A new generation's snapshot holds everything: the commits still waiting collapse into its start,
     * with the time of the oldest, which every replica's first snapshot of it acknowledges.
     */
    @Override
    public void generationStarted(Path db, Generation generation, String reason) {
        State s = state(db);
        synchronized (s) {
            long oldest = s.pending.isEmpty() ? nanoTime.getAsLong() : s.pending.peekFirst().copiedAtNanos();
            s.pending.clear();
            s.pending.addLast(new Pending(new Position(generation, 0, 0), oldest));
        }
    }

    @Override
    public void segmentWritten(Path db, String replica, Position start, Position end, long compressedBytes) {
        acknowledged(db, replica, end);
    }

    @Override
    public void snapshotWritten(Path db, String replica, Position position, long compressedBytes, Duration took) {
        acknowledged(db, replica, position);
    }

    /** A failing replica becomes known: what it has not acknowledged counts against it. */
    @Override
    public void syncFailed(Path db, String replica, Throwable error) {
        if (replica == null) return;
        State s = state(db);
        synchronized (s) {
            s.acked.putIfAbsent(replica, null);
        }
    }

    private void acknowledged(Path db, String replica, Position at) {
        State s = state(db);
        synchronized (s) {
            Position before = s.acked.get(replica);
            if (before == null || !before.generation().equals(at.generation()) || before.compareTo(at) < 0) {
                s.acked.put(replica, at);
            }
            while (!s.pending.isEmpty() && ackedByAll(s, s.pending.peekFirst().end())) s.pending.removeFirst();
        }
    }

    private static boolean ackedByAll(State s, Position commit) {
        if (s.acked.isEmpty()) return false;
        for (Position p : s.acked.values()) {
            if (!covers(p, commit)) return false;
        }
        return true;
    }

    private static boolean covers(Position acked, Position commit) {
        return acked != null && acked.generation().equals(commit.generation()) && acked.compareTo(commit) >= 0;
    }

    /** Whether every commit copied more than {@code within} ago is on every replica of its database. */
    public Verdict check(Duration within) {
        long now = nanoTime.getAsLong();
        long limit = within.toNanos();
        for (Map.Entry<Path, State> e : databases.entrySet()) {
            State s = e.getValue();
            synchronized (s) {
                if (s.pending.isEmpty()) continue;
                if (s.acked.isEmpty()) {
                    Pending oldest = s.pending.peekFirst();
                    long behind = now - oldest.copiedAtNanos();
                    if (behind > limit) return new Verdict.Lagging(e.getKey(), null, oldest.end(), Duration.ofNanos(behind));
                    continue;
                }
                for (Map.Entry<String, Position> r : s.acked.entrySet()) {
                    for (Pending p : s.pending) { // oldest first: the first one not acknowledged is the one that counts
                        if (covers(r.getValue(), p.end())) continue;
                        long behind = now - p.copiedAtNanos();
                        if (behind > limit) {
                            return new Verdict.Lagging(e.getKey(), r.getKey(), r.getValue(), Duration.ofNanos(behind));
                        }
                        break;
                    }
                }
            }
        }
        return new Verdict.Replicated();
    }
}
