package dev.keel.replication.internal;

import dev.keel.replication.spi.ReplicationListener;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One timer per scheduler and tick period that walks every database's driver in one pass, aligned to
 * multiples of the period on the wall clock. A fleet of 10,000 idle databases then costs one wake-up
 * per interval and 10,000 cheap checks in a row, instead of 10,000 timers that the pool's threads
 * take one by one from a shared queue. Work a check finds runs as its own task on the pool.
 */
final class FleetTicker implements Runnable {
    private static final Map<ScheduledExecutorService, Map<Long, FleetTicker>> TICKERS = new WeakHashMap<>();

    /** Each driver and how it is ticked (through its database's gate when it has one). */
    private final Map<DatabaseDriver, Runnable> drivers = new ConcurrentHashMap<>();
    private volatile ReplicationListener listener = ReplicationListener.NONE;

    private FleetTicker() {
    }

    /**
     * Adds {@code driver} to the ticker of {@code scheduler} for {@code periodMs}, starting that ticker on
     * first use. The databases of a {@code dir:} entry each see the shared pool through a gate of their own
     * ({@link GatedScheduler}); they join the pool's ticker, each ticked through its gate, instead of
     * starting a ticker (a timer) per database.
     */
    static FleetTicker join(ScheduledExecutorService scheduler, long periodMs, DatabaseDriver driver) {
        Runnable tick = driver::tick;
        if (scheduler instanceof GatedScheduler gate) {
            scheduler = gate.pool();
            tick = () -> gate.runOpen(driver::tick);
        }
        FleetTicker ticker = of(scheduler, periodMs);
        ticker.drivers.put(driver, tick);
        ticker.listener = driver.listener(); // one per scheduler: the replicator's
        return ticker;
    }

    private static FleetTicker of(ScheduledExecutorService scheduler, long periodMs) {
        FleetTicker ticker;
        synchronized (TICKERS) {
            Map<Long, FleetTicker> byPeriod = TICKERS.computeIfAbsent(scheduler, s -> new ConcurrentHashMap<>());
            ticker = byPeriod.get(periodMs);
            if (ticker == null) {
                ticker = new FleetTicker();
                long now = System.currentTimeMillis();
                scheduler.scheduleAtFixedRate(ticker, periodMs - now % periodMs, periodMs, TimeUnit.MILLISECONDS);
                byPeriod.put(periodMs, ticker);
            }
        }
        return ticker;
    }

    void leave(DatabaseDriver driver) {
        drivers.remove(driver);
    }

    @Override
    public void run() {
        long started = System.nanoTime();
        int walked = 0;
        for (Runnable tick : drivers.values()) {
            walked++;
            try {
                tick.run();
            } catch (RuntimeException e) {
                // a driver logs its own failures; one must never stop the walk (a timer that throws stops)
            }
        }
        try {
            listener.loopsTicked(walked, java.time.Duration.ofNanos(System.nanoTime() - started));
        } catch (RuntimeException ignored) {
            // a listener must not stop the ticker
        }
    }
}
