package dev.keel.replication.internal;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Position;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Waits until what a database committed is on its replicas, pushing it there now instead of at the
 * next sync interval: the WAL is copied to the shadow at once, then each replica that lacks it
 * uploads it in a task of its own (retried with a short backoff while its storage fails), and the
 * caller returns as soon as enough replicas acknowledged. An application calls this after a commit
 * that must not be lost and pays only that commit's upload.
 */
public final class ReplicationWait {
    private static final long FIRST_RETRY_MS = 20;
    private static final long MAX_RETRY_MS = 1000;

    private final DatabaseReplication db;
    private final Position target;
    private final long deadline;
    /** Per replica: the last failure of a push, or null. Guarded by {@code this}. */
    private final Throwable[] errors;
    private final boolean[] done;
    private volatile boolean over;

    private ReplicationWait(DatabaseReplication db, Position target, long deadline) {
        this.db = db;
        this.target = target;
        this.deadline = deadline;
        this.errors = new Throwable[db.replicas().size()];
        this.done = new boolean[db.replicas().size()];
    }

    /**
     * Returns once {@code wanted} replicas (all of them when more) acknowledged everything {@code db}
     * committed before this call; throws a {@link KeelException} naming the lagging replicas when
     * {@code timeout} passes first. {@code loops} runs the pushes (null: they run on the calling thread).
     */
    public static void await(DatabaseReplication db, Duration timeout, int wanted, ScheduledExecutorService loops)
            throws IOException, SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // the commits made before this call, into the shadow WAL now; a parked database is taken back once
        // the loops free a place in the descriptor budget (they park the longest idle ones)
        while (true) {
            try {
                db.monitor().syncHeld();
                break;
            } catch (DatabaseMonitor.NoFreePlace e) {
                if (System.nanoTime() - deadline > 0) throw e;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        Position target = db.monitor().position();
        List<Replica> replicas = db.replicas();
        int need = Math.min(wanted, replicas.size());
        if (target == null || need <= 0) return;
        ReplicationWait wait = new ReplicationWait(db, target, deadline);
        try {
            wait.run(need, loops);
        } finally {
            wait.over = true;
        }
    }

    /** USAGE for a negative timeout or a count under 1, FAILURE once the replicator is closed. */
    public static void checkArguments(java.nio.file.Path db, Duration timeout, int replicas, boolean closed) {
        if (timeout == null || timeout.isNegative() || replicas < 1) {
            throw new KeelException(ErrorCode.USAGE, "awaitReplicated needs a timeout of 0 or more and at least 1 replica, not "
                    + timeout + " and " + replicas, String.valueOf(db), "e.g. awaitReplicated(db, Duration.ofSeconds(5))");
        }
        if (closed) {
            throw new KeelException(ErrorCode.FAILURE, "the replicator is closed", String.valueOf(db),
                    "call awaitReplicated before close(); close() itself runs a final sync");
        }
    }

    /** NOT_FOUND for a database the replicator does not follow, or follows but could not open yet. */
    public static KeelException notFollowed(java.nio.file.Path db, int followed, boolean waiting) {
        return waiting
                ? new KeelException(ErrorCode.NOT_FOUND, "the database is not open yet (it failed to open at start and is"
                        + " retried)", db.toString(), "see the log for why it could not be opened")
                : new KeelException(ErrorCode.NOT_FOUND, "not a database this replicator follows", db.toString(),
                        "pass the path of a configured database (" + followed + " followed); a link and its target are the same database");
    }

    private void run(int need, ScheduledExecutorService loops) {
        List<Replica> replicas = db.replicas();
        int inline = -1; // one replica's upload runs on the calling thread: no hand-off to wait for
        for (int i = 0; i < replicas.size(); i++) {
            if (covers(replicas.get(i).position())) {
                done[i] = true;
            } else if (loops != null && inline < 0) {
                inline = i;
            } else if (loops != null) {
                schedule(loops, i, 0, FIRST_RETRY_MS);
            }
        }
        if (inline >= 0 && !push(inline)) schedule(loops, inline, FIRST_RETRY_MS, FIRST_RETRY_MS * 2);
        if (loops == null) { // no background threads: push each replica in turn on this thread
            for (int i = 0; i < replicas.size() && count() < need; i++) {
                long retry = FIRST_RETRY_MS;
                while (!done[i] && System.nanoTime() < deadline) {
                    if (!push(i)) retry = pause(retry);
                }
            }
        }
        synchronized (this) {
            while (count() < need) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw timedOut(need);
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KeelException(ErrorCode.FAILURE, "interrupted while waiting for " + db.path() + " to be replicated",
                            db.path().toString(), "the commit is kept in the shadow WAL and uploaded by the background loops");
                }
            }
        }
    }

    private void schedule(ScheduledExecutorService loops, int i, long delayMs, long nextDelayMs) {
        try {
            loops.schedule(() -> {
                if (over || push(i) || System.nanoTime() >= deadline) return;
                schedule(loops, i, nextDelayMs, Math.min(MAX_RETRY_MS, nextDelayMs * 2));
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            fail(i, new IllegalStateException("the replicator is closing"));
        }
    }

    /** One upload attempt for replica {@code i}; true when it now holds the target. */
    private boolean push(int i) {
        Replica r = db.replicas().get(i);
        try {
            r.sync();
        } catch (IOException | SQLException | RuntimeException e) {
            fail(i, e);
            return false;
        }
        if (!covers(r.position())) return false; // a new generation's snapshot is next: the loop goes on
        synchronized (this) {
            done[i] = true;
            errors[i] = null;
            notifyAll();
        }
        return true;
    }

    private synchronized void fail(int i, Throwable e) {
        errors[i] = e;
        notifyAll();
    }

    private long pause(long ms) {
        long wait = Math.min(ms, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Math.min(MAX_RETRY_MS, ms * 2);
    }

    private synchronized int count() {
        int n = 0;
        for (boolean d : done) n += d ? 1 : 0;
        return n;
    }

    /** A replica holds the target: at or past it in its generation, or in a later generation (whose snapshot holds it). */
    private boolean covers(Position acked) {
        if (acked == null) return false;
        if (acked.generation().equals(target.generation())) return acked.compareTo(target) >= 0;
        Position head = db.monitor().position();
        return head != null && !head.generation().equals(target.generation()) && acked.generation().equals(head.generation());
    }

    private KeelException timedOut(int need) {
        List<String> lagging = new ArrayList<>();
        String first = null;
        Throwable cause = null;
        for (int i = 0; i < done.length; i++) {
            if (done[i]) continue;
            Replica r = db.replicas().get(i);
            Position at = r.position();
            lagging.add("replica " + r.name() + " (" + r.client().describe() + ") holds "
                    + (at == null ? "nothing of the generation" : at.toString())
                    + (errors[i] == null ? "" : ", last upload failed: " + FailureLog.describe(errors[i])));
            if (first == null) first = r.client().describe();
            if (cause == null) cause = errors[i];
        }
        ErrorCode code = cause == null ? ErrorCode.FAILURE : LogFields.code(cause);
        return new KeelException(code, db.path() + " not replicated to " + (need == done.length ? "every replica" : need + " replicas")
                + " within the timeout: it is at " + target + "; " + String.join("; ", lagging), first,
                "the commit is safe locally (shadow WAL) and uploaded once the replica answers; check that its storage is"
                        + " reachable, or wait longer", cause);
    }
}
