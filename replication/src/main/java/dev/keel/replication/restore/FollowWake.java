package dev.keel.replication.restore;

import java.util.concurrent.TimeUnit;

/**
 * Wakes a waiting follower before its poll interval is up: when a watch saw the replica change, or
 * when it is asked to stop. A wake that comes while the follower is busy is kept, so the next wait
 * returns at once and nothing written during a poll waits for the following interval.
 */
final class FollowWake {
    private boolean pending;

    synchronized void wake() {
        pending = true;
        notifyAll();
    }

    /** Waits until woken, or for {@code millis}; clears the wake either way. */
    synchronized void await(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!pending) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        pending = false;
    }
}
