package dev.keel.replication.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Opens many databases at once at start: opening one is mostly waiting for the disk (SQLite's open,
 * Keel's first write, fsyncs of the local state), so a fleet of thousands opens in seconds on a few
 * threads, which end once everything is open.
 */
public final class ParallelOpen {
    /** One item's result or its failure. */
    public record Outcome<R>(R value, RuntimeException error) {
    }

    private ParallelOpen() {
    }

    /** Applies {@code open} to every item on up to {@code threads} threads; outcomes in the items' order. */
    public static <T, R> List<Outcome<R>> all(List<T> items, int threads, Function<T, R> open) {
        List<Outcome<R>> out = new ArrayList<>();
        if (items.size() <= 1 || threads <= 1) {
            for (T item : items) out.add(attempt(item, open));
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, items.size()), r -> {
            Thread t = new Thread(r, "keel-open");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome<R>>> futures = new ArrayList<>();
            for (T item : items) futures.add(pool.submit(() -> attempt(item, open)));
            for (Future<Outcome<R>> f : futures) out.add(f.get());
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening databases", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T, R> Outcome<R> attempt(T item, Function<T, R> open) {
        try {
            return new Outcome<>(open.apply(item), null);
        } catch (RuntimeException e) {
            return new Outcome<>(null, e);
        }
    }
}
