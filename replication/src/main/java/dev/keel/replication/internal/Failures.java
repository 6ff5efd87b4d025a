package dev.keel.replication.internal;

import java.io.IOException;
import java.sql.SQLException;

/**
 * Collects the failures of a round over several databases or replicas, so one failing target does not
 * keep the others from being tried; {@link #rethrow()} then throws the first with the rest suppressed.
 */
public final class Failures {
    private Exception first;

    /** One unit of work that may fail the way replication work fails. */
    @FunctionalInterface
    public interface Work {
        void run() throws IOException, SQLException;
    }

    /** Runs {@code work}, remembering its failure instead of throwing it. */
    public void attempt(Work work) {
        try {
            work.run();
        } catch (IOException | SQLException | RuntimeException e) {
            if (first == null) first = e;
            else first.addSuppressed(e);
        }
    }

    /** Throws the first failure, when every attempt turned its checked failures into unchecked ones. */
    public void rethrowUnchecked() {
        if (first instanceof RuntimeException re) throw re;
        if (first != null) throw new IllegalStateException("unexpected checked failure", first);
    }

    public void rethrow() throws IOException, SQLException {
        if (first instanceof IOException io) throw io;
        if (first instanceof SQLException sql) throw sql;
        if (first instanceof RuntimeException re) throw re;
    }
}
