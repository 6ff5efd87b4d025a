package dev.keel.replication.internal;

import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One background loop's round (a monitor tick, a replica sync, a retention check): background loops
 * are the only code that logs and continues. A failure is logged once when it starts and once when it
 * ends, not every round, so a replica that is down for an hour does not flood the log.
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
    private String failing;

    LoopTask(String what, Path db, String replica, ReplicationListener listener, Round round) {
        this.what = what;
        this.db = db;
        this.replica = replica;
        this.listener = listener;
        this.round = round;
    }

    @Override
    public synchronized void run() {
        try {
            round.run();
            if (failing != null) {
                LOG.info("{}: {} works again", db, what);
                failing = null;
            }
        } catch (Throwable e) { // a scheduled task that throws is never run again: log and keep going
            String message = describe(e);
            if (!Objects.equals(message, failing)) {
                LOG.warn("{}: {} failed, will retry: {}", db, what, message);
                LOG.debug("{}: {} failure", db, what, e);
                failing = message;
            }
            try {
                listener.syncFailed(db, replica, e);
            } catch (RuntimeException ignored) {
                // a listener must not stop the loop
            }
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 400; t = t.getCause()) {
            if (sb.length() > 0) sb.append(": ");
            sb.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
            if (t.getCause() != null && t.getMessage() != null && t.getMessage().contains(String.valueOf(t.getCause().getMessage()))) break;
        }
        return sb.toString();
    }
}
