package dev.keel.replication.internal;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A configured database that could not be opened when the replicator started (missing, not SQLite yet,
 * a replica unreachable) while others did: it is retried every monitor interval, since an application
 * often creates its database only once it runs, and handed to the replicator once it opens.
 */
public final class PendingDatabase {
    /** Opens the database with its replicas; throws what a failed open throws. */
    @FunctionalInterface
    public interface Opener {
        DatabaseReplication open(DatabaseConfig config);
    }

    private final DatabaseConfig config;
    private final Opener opener;
    private final Consumer<DatabaseReplication> opened;
    private final LoopTask retry;
    private volatile boolean done;
    private volatile ScheduledFuture<?> future;

    public PendingDatabase(DatabaseConfig config, ReplicationListener listener, Opener opener,
                           Consumer<DatabaseReplication> opened) {
        this.config = config;
        this.opener = opener;
        this.opened = opened;
        this.retry = new LoopTask("starting replication (retried every " + config.monitorInterval().toMillis() + " ms)",
                config.path(), null, listener, this::openNow);
    }

    public Path path() {
        return config.path();
    }

    public DatabaseConfig config() {
        return config;
    }

    /** True once it opened and was handed over. */
    public boolean done() {
        return done;
    }

    /** Logs the failure of the attempt at start, so later attempts failing the same way stay quiet. */
    public void failedAtStart(RuntimeException e) {
        retry.record(e);
    }

    /** Retries every monitor interval on {@code scheduler} until it opens or {@link #cancel()} is called. */
    public void schedule(ScheduledExecutorService scheduler) {
        long every = Math.max(1, config.monitorInterval().toMillis());
        future = scheduler.scheduleWithFixedDelay(retry, every, every, TimeUnit.MILLISECONDS);
    }

    /** One attempt now (without background loops, {@code Replicator.sync()} calls it); throws its failure. */
    public synchronized void openNow() {
        if (done) return;
        DatabaseReplication d = opener.open(config);
        done = true;
        cancel();
        opened.accept(d);
    }

    /** Stops retrying. */
    public void cancel() {
        ScheduledFuture<?> f = future;
        if (f != null) f.cancel(false);
    }
}
