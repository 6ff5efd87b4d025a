package dev.keel.replication.internal;

import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One background loop's round (a monitor tick, a replica sync, a retention check): background loops
 * are the only code that logs and continues. A failure is logged when it starts, as a reminder with a
 * count at most every five minutes while the same kind of failure goes on, and when it ends (see
 * {@link FailureLog}), so a replica that is down for an hour does not flood the log. With a backoff,
 * rounds after a failure are skipped for a time that doubles with every further failure.
 */
final class LoopTask implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopTask.class);

    /** The work of one round. */
    @FunctionalInterface
    interface Round {
        void run() throws Exception;
    }

    private final String what;
    private final Path db;
    private final String replica;
    private final Round round;
    private final ReplicationListener listener;
    private final FailureLog failures = new FailureLog();
    private long firstBackoffNanos;
    private long maxBackoffNanos;
    private long backoffNanos;
    private long retryAtNanos;

    LoopTask(String what, Path db, String replica, ReplicationListener listener, Round round) {
        this.what = what;
        this.db = db;
        this.replica = replica;
        this.listener = listener;
        this.round = round;
    }

    /**
     * Skips rounds after a failure: the first retry waits {@code first}, each further failure doubles
     * the wait up to {@code max}; a round that works ends the backoff. A storage server that is down
     * then costs a few requests a minute instead of one every sync interval.
     */
    LoopTask backoff(Duration first, Duration max) {
        this.firstBackoffNanos = first.toNanos();
        this.maxBackoffNanos = Math.max(first.toNanos(), max.toNanos());
        return this;
    }

    /** How long rounds are skipped now (0 when not backing off); for tests and messages. */
    synchronized Duration currentBackoff() {
        return Duration.ofNanos(backoffNanos);
    }

    /** Logs a failure of this work that happened outside the loop (the first attempt), as a round would. */
    synchronized void record(Throwable e) {
        String line = failures.failed(e, System.nanoTime());
        if (line != null) LogFields.failure(event(org.slf4j.event.Level.WARN), e).log("{}: {} {}", db, what, line);
    }

    /** A log event of this loop, with its database (and replica) as fields. */
    private org.slf4j.spi.LoggingEventBuilder event(org.slf4j.event.Level level) {
        return replica == null ? LogFields.db(LOG, level, db) : LogFields.replica(LOG, level, db, replica);
    }

    @Override
    public synchronized void run() {
        long now = System.nanoTime();
        if (backoffNanos > 0 && now - retryAtNanos < 0) return;
        try {
            round.run();
            backoffNanos = 0;
            String recovered = failures.succeeded(System.nanoTime());
            if (recovered != null) {
                event(org.slf4j.event.Level.INFO).log("{}: {} {}", db, what, recovered);
                try {
                    listener.syncRecovered(db, replica);
                } catch (RuntimeException ignored) {
                    // a listener must not stop the loop
                }
            }
        } catch (Throwable e) { // a scheduled task that throws is never run again: log and keep going
            long failedAt = System.nanoTime();
            if (firstBackoffNanos > 0) {
                backoffNanos = backoffNanos == 0 ? firstBackoffNanos : Math.min(maxBackoffNanos, backoffNanos * 2);
                retryAtNanos = failedAt + backoffNanos;
            }
            String line = failures.failed(e, failedAt);
            if (line != null) {
                LogFields.failure(event(org.slf4j.event.Level.WARN), e).log("{}: {} {}", db, what, line);
                LOG.debug("{}: {} failure", db, what, e);
            }
            try {
                listener.syncFailed(db, replica, e);
            } catch (RuntimeException ignored) {
                // a listener must not stop the loop
            }
        }
    }
}
