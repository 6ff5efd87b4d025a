package dev.keel.replication.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The shared scheduler as one database of a {@code dir:} entry sees it: every round of the database's
 * loops first checks that its file is still there. When it is gone (deleted, renamed away) the round
 * does not run, so the database's own loops never log a missing file; {@code onGone} is called once
 * instead and the directory follower lets the database go. {@link #shut()} stops every later round and
 * waits for those running, so the database can be closed under no loop.
 *
 * <p>Owns no thread: shutting the pool down is the replicator's business, not one database's.
 */
final class GatedScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    /** How long {@link #shut()} waits for a running round (an upload in progress) before closing anyway. */
    static final long MAX_WAIT_MS = 60_000;

    private final ScheduledExecutorService pool;
    private final Path file;
    private final Runnable onGone;
    private int running;
    private boolean shut;
    private boolean gone;

    GatedScheduler(ScheduledExecutorService pool, Path file, Runnable onGone) {
        this.pool = pool;
        this.file = file;
        this.onGone = onGone;
    }

    private Runnable gated(Runnable round) {
        return () -> {
            if (!enter()) return;
            try {
                round.run();
            } finally {
                exit();
            }
        };
    }

    private boolean enter() {
        synchronized (this) {
            if (shut || gone) return false;
            if (Files.exists(file)) {
                running++;
                return true;
            }
            gone = true;
        }
        onGone.run();
        return false;
    }

    /** The shared scheduler behind this one. */
    ScheduledExecutorService pool() {
        return pool;
    }

    /**
     * Runs {@code tick} now unless the gate is shut or the file was found gone, counted as a running
     * round (so {@link #shut()} waits for it), without the stat of a scheduled round: a tick of the
     * fleet's shared ticker stats the files itself, and a file gone shows there as a change whose round
     * this gate then stops.
     */
    void runOpen(Runnable tick) {
        synchronized (this) {
            if (shut || gone) return;
            running++;
        }
        try {
            tick.run();
        } finally {
            exit();
        }
    }

    /** True once a round found the file gone (no round runs after that). */
    synchronized boolean isGone() {
        return gone;
    }

    private synchronized void exit() {
        running--;
        notifyAll();
    }

    /** No round starts from now on; waits (bounded) for rounds running now to end. */
    synchronized void shut() {
        shut = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS);
        while (running > 0) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) return;
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return pool.schedule(gated(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("a database's loops are Runnables");
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return pool.scheduleAtFixedRate(gated(command), initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return pool.scheduleWithFixedDelay(gated(command), initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
        pool.execute(gated(command));
    }

    @Override
    public void shutdown() {
        throw new UnsupportedOperationException("the replicator owns the scheduler");
    }

    @Override
    public List<Runnable> shutdownNow() {
        throw new UnsupportedOperationException("the replicator owns the scheduler");
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }
}
