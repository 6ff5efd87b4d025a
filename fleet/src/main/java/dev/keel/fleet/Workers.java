package dev.keel.fleet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Runs one task per database on at most {@code parallel} threads, in the fleet's order, and stops
 * handing out databases once a stop condition holds or the calling thread is interrupted. A database
 * that has started always finishes (each one is all or nothing), the ones not reached are reported
 * {@link DatabaseOutcome.Status#NOT_STARTED} with the reason the run stopped.
 */
final class Workers {
    private final int parallel;
    private final FleetListener listener;

    Workers(int parallel, FleetListener listener) {
        this.parallel = parallel;
        this.listener = listener;
    }

    /**
     * Runs {@code task} for every database of {@code databases}; after an outcome that {@code stopsRun}
     * accepts, no further database starts and they get {@code stopReason} applied to the outcome that stopped it.
     */
    List<DatabaseOutcome> run(String phase, List<FleetDatabase> databases, Function<FleetDatabase, DatabaseOutcome> task,
                              Predicate<DatabaseOutcome> stopsRun, Function<DatabaseOutcome, String> stopReason) {
        int total = databases.size();
        listener.phase(phase, total);
        DatabaseOutcome[] outcomes = new DatabaseOutcome[total];
        if (total == 0) return List.of();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<String> stopped = new AtomicReference<>();
        Runnable worker = () -> {
            while (stopped.get() == null) {
                int i = next.getAndIncrement();
                if (i >= total) return;
                DatabaseOutcome outcome = task.apply(databases.get(i));
                outcomes[i] = outcome;
                if (stopsRun.test(outcome)) stopped.compareAndSet(null, stopReason.apply(outcome));
                listener.finished(outcome, done.incrementAndGet(), total);
            }
        };
        int threads = Math.min(parallel, total);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "keel-fleet-" + phase);
            t.setDaemon(true);
            return t;
        });
        boolean interrupted = false;
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) futures.add(pool.submit(worker));
            for (Future<?> f : futures) {
                while (true) {
                    try {
                        f.get();
                        break;
                    } catch (InterruptedException e) {
                        // let the databases in progress finish (each is all or nothing), start no more
                        interrupted = true;
                        stopped.compareAndSet(null, "the run was interrupted");
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("a fleet worker failed: " + e.getCause(), e.getCause());
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            if (interrupted) Thread.currentThread().interrupt();
        }
        String reason = stopped.get();
        for (int i = 0; i < total; i++) {
            if (outcomes[i] == null) outcomes[i] = DatabaseOutcome.notStarted(databases.get(i), reason);
        }
        return Arrays.asList(outcomes);
    }
}
