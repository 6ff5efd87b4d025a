package dev.keel.replication.internal;

import java.util.concurrent.locks.LockSupport;
import org.sqlite.BusyHandler;

/**
 * How Keel's own connections wait for a SQLite lock: they poll every few tens of microseconds for the
 * first milliseconds, then every millisecond, up to a deadline. SQLite's own busy timeout sleeps 1, 2,
 * 5, 10... ms between tries, so under a steady writer Keel's write lock after a checkpoint came tens of
 * milliseconds late (measured up to 48 ms with two writers), the checkpoint's copy of the tail grew
 * with it, and a restart Keel has to prove by the old frames had that much longer to overwrite them.
 * One instance serves every connection: the attempt count SQLite passes is its only state.
 */
final class PromptBusyHandler extends BusyHandler {
    static final PromptBusyHandler INSTANCE = new PromptBusyHandler(1000);
    private static final int PROMPT_TRIES = 200;
    private static final long PROMPT_NANOS = 20_000;
    private static final long SLOW_NANOS = 1_000_000;

    private final int slowTries;

    /** @param timeoutMillis roughly how long to keep trying after the prompt phase */
    PromptBusyHandler(int timeoutMillis) {
        this.slowTries = timeoutMillis;
    }

    @Override
    protected int callback(int tries) {
        if (tries >= PROMPT_TRIES + slowTries) return 0; // give up: SQLITE_BUSY reaches the caller
        LockSupport.parkNanos(tries < PROMPT_TRIES ? PROMPT_NANOS : SLOW_NANOS);
        return 1;
    }
}
