package dev.keel.fleet.branch;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaps the branches of some directories in the background, on one small daemon thread for all of
 * them: at start, then every {@link #INTERVAL} or sooner when a branch listed at the last check expires
 * before that. As a background loop it logs failures and carries on.
 */
public final class BranchReaper implements AutoCloseable {
    public static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(BranchReaper.class);
    /** A branch expiring this soon after a check is reaped by one check a little later rather than by a burst of them. */
    private static final Duration MIN_DELAY = Duration.ofMillis(200);

    private final List<Path> directories;
    private final ScheduledExecutorService scheduler;

    private BranchReaper(List<Path> directories) {
        this.directories = List.copyOf(directories);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keel-branch-reaper");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts reaping {@code directories}; with none, starts nothing. Close it to stop. */
    public static BranchReaper start(List<Path> directories) {
        BranchReaper reaper = new BranchReaper(directories);
        if (!directories.isEmpty()) reaper.scheduler.execute(reaper::check);
        return reaper;
    }

    private void check() {
        Instant now = Instant.now();
        Instant next = now.plus(INTERVAL);
        for (Path dir : directories) {
            try {
                ReapReport report = Branches.reap(dir, now, false);
                for (ReapReport.Reaped r : report.reaped()) {
                    LOG.info("reaped expired branch {} (expired {}, {} files)", r.branch().path(), r.branch().expires(), r.files().size());
                }
                for (Path f : report.leftovers()) LOG.info("deleted {}: temp file of a branch creation that was interrupted", f);
                for (Branch b : report.forgotten()) LOG.info("forgot the sidecar of {}: the database is gone", b.path());
                for (BranchListing.Problem p : report.problems()) LOG.warn("branch reaper: {}", p);
                for (Branch b : report.kept()) {
                    if (b.expires().isBefore(next)) next = b.expires();
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot reap branches in {}: {}", dir, e.getMessage());
            }
        }
        long delay = Math.max(MIN_DELAY.toMillis(), Duration.between(Instant.now(), next).toMillis() + 1);
        try {
            scheduler.schedule(this::check, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
