package dev.keel.replication.internal;

import dev.keel.core.fleet.SqliteFile;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.PrefixedReplicaClient;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the databases a {@code dir:} entry stands for replicating: each scan lists the directory by
 * name ({@link dev.keel.core.fleet.DatabaseDirectory#candidates()}, which opens no file), starts
 * replicating files that became SQLite databases, and lets go of followed databases whose file is gone.
 * A rescan every monitor interval (on the replicator's scheduler, no thread of its own) is what picks
 * up new databases; a followed database whose file disappears is noticed by its own next round too
 * (see {@link GatedScheduler}), whichever comes first.
 *
 * <p>Only candidates not followed yet are opened to read their header: closing a descriptor on a
 * database SQLite has open in this process would drop its locks. A candidate that is not a database
 * is looked at again only once its size or modification time changed. Every database of the entry
 * shares one storage client per replica (one connection pool for the fleet, not one per database).
 */
public final class DirectoryFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryFollower.class);

    /** What the replicator does for the follower. */
    public interface Host {
        /** Opens a database with its replicas, their clients made by {@code clients}; throws what opening throws. */
        DatabaseReplication open(DatabaseConfig config, Function<ReplicaConfig, ReplicaClient> clients);

        /** Adds an opened database to those replicated, its loops on {@code loops}. */
        void join(DatabaseReplication db, ScheduledExecutorService loops);

        /** Removes a database from those replicated (its loops are stopped and it is closed by the follower). */
        void leave(DatabaseReplication db);
    }

    private record Followed(DatabaseReplication db, GatedScheduler loops) {
    }

    /** What a candidate that was no database looked like, so it is opened again only once it changed. */
    private record Stamp(long size, long modified) {
        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(a.size(), a.lastModifiedTime().toMillis());
            } catch (IOException e) {
                return null; // gone meanwhile
            }
        }
    }

    private final DirectoryConfig config;
    private final Host host;
    private final Function<ReplicaConfig, ReplicaClient> clients;
    private final LoopTask rescan;
    private final Map<Path, Followed> followed = new LinkedHashMap<>();
    private final Map<Path, Stamp> notDatabases = new HashMap<>();
    private final Map<Path, String> failedToOpen = new HashMap<>();
    private final Map<String, ReplicaClient> prefixClients = new HashMap<>();
    private ScheduledExecutorService pool;
    private ScheduledFuture<?> future;
    /** The last listing, and the top directory as read just before it (null: list again next time). */
    private List<Path> listed;
    private ParkedStamp.File listedRoot;
    /**
     * What the last scan left unfollowed of {@link #listed} (not databases yet, failed to open), while
     * {@link #followed} has not changed since: a scan of that same listing then looks at these alone.
     * Null: the next scan goes through the whole listing.
     */
    private List<Path> unfollowed;
    private boolean closed;

    public DirectoryFollower(DirectoryConfig config, Host host, Function<ReplicaConfig, ReplicaClient> clients,
                             ReplicationListener listener) {
        this.config = config;
        this.host = host;
        this.clients = clients;
        this.rescan = new LoopTask("rescanning the dir entry (every " + config.template().monitorInterval().toMillis()
                + " ms)", config.root(), null, listener, this::scan);
    }

    public DirectoryConfig config() {
        return config;
    }

    /**
     * Databases join on {@code pool}; with {@code watch}, the directory is scanned again every monitor
     * interval, or less often when one scan takes more than {@value #MAX_SCAN_SHARE_PERCENT}% of that
     * (a tree of 10,000 files costs on the order of 100 ms of CPU per scan), so that scanning stays a
     * small share of one core. Without background loops (null), {@code Replicator.sync()} calls
     * {@link #rescan()}.
     */
    public synchronized void schedule(ScheduledExecutorService pool) {
        this.pool = pool;
        if (pool == null || !config.watch()) return;
        scheduleRescan(config.template().monitorInterval().toMillis());
    }

    static final int MAX_SCAN_SHARE_PERCENT = 5;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** This thread's CPU time (what a scan costs, whatever else the machine is doing), or wall time without it. */
    private static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private synchronized void scheduleRescan(long delayMs) {
        if (closed) return;
        try {
            future = pool.schedule(() -> {
                long started = cpuNanos();
                rescan.run();
                long took = (cpuNanos() - started) / 1_000_000;
                scheduleRescan(Math.max(config.template().monitorInterval().toMillis(), took * 100 / MAX_SCAN_SHARE_PERCENT));
            }, Math.max(1, delayMs), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the replicator is closing
        }
    }

    /** A scan when the entry is watched (without background loops, {@code Replicator.sync()} calls it). */
    public void rescan() {
        if (config.watch()) scan();
    }

    /** The paths followed now, in the order they were found. */
    public synchronized List<Path> databases() {
        return List.copyOf(followed.keySet());
    }

    /**
     * One scan: lets go of followed databases that are gone, starts replicating candidates that are
     * databases now. Throws when the directory cannot be listed (the scheduled loop logs and retries).
     */
    public synchronized void scan() {
        if (closed) return;
        List<Path> before = listed;
        List<Path> candidates = candidates();
        if (candidates == before && unfollowed != null) {
            // An idle fleet's rescan: the same listing, every database in it followed as before.
            if (!unfollowed.isEmpty()) openNowDatabases(unfollowed);
            return;
        }
        unfollowed = null;
        Set<Path> present = new HashSet<>(candidates);
        for (Path p : new ArrayList<>(followed.keySet())) {
            if (!present.contains(p)) release(p);
        }
        List<Path> found = new ArrayList<>();
        for (Path p : candidates) {
            if (!followed.containsKey(p) && isDatabaseNow(p)) found.add(p);
        }
        adoptAll(found);
        notDatabases.keySet().retainAll(present);
        failedToOpen.keySet().retainAll(present);
        if (closed) return;
        List<Path> left = new ArrayList<>();
        for (Path p : candidates) if (!followed.containsKey(p)) left.add(p);
        unfollowed = left;
    }

    /** Candidates of an unchanged listing that were not followed: opened when they became databases since. */
    private void openNowDatabases(List<Path> candidates) {
        List<Path> found = new ArrayList<>();
        for (Path p : candidates) {
            if (isDatabaseNow(p)) found.add(p);
        }
        if (found.isEmpty()) return;
        unfollowed = null; // followed changes: the next scan goes through the whole listing
        adoptAll(found);
    }

    /** True when the candidate {@code p} is a database now; one that is not yet is looked at again only once it changes. */
    private boolean isDatabaseNow(Path p) {
        Stamp stamp = Stamp.of(p);
        if (stamp == null || stamp.equals(notDatabases.get(p))) return false;
        if (!SqliteFile.looksLikeDatabase(p)) {
            notDatabases.put(p, stamp); // not yet (or never) a database: quietly looked at again once it changes
            return false;
        }
        notDatabases.remove(p);
        return true;
    }

    private void adoptAll(List<Path> found) {
        // Opened on a few threads, as the databases listed in a config are at start (opening is mostly
        // waiting for the disk); joined in the order found, a batch at a time so the first replicate early.
        for (int from = 0; from < found.size(); from += OPEN_BATCH) {
            if (closed) return;
            List<Path> batch = found.subList(from, Math.min(found.size(), from + OPEN_BATCH));
            List<ParallelOpen.Outcome<DatabaseReplication>> opened = ParallelOpen.all(batch, OPEN_THREADS, this::open);
            for (int i = 0; i < batch.size(); i++) adopt(batch.get(i), opened.get(i));
        }
    }

    /**
     * The entry's candidates: listed again only when the directory changed. Adding, removing or renaming
     * an entry changes a directory's modification time, so while the top directory of an entry that is
     * not recursive reads as at the last listing (and that reading was not racy, see {@link ParkedStamp}),
     * the last listing still holds; a scan of an idle fleet then costs one stat plus one per candidate
     * not followed. A recursive entry is listed every time (its subdirectories change on their own).
     */
    private List<Path> candidates() {
        if (config.directory().recursive()) return config.directory().candidates();
        long wallNanos = System.currentTimeMillis() * 1_000_000L;
        ParkedStamp.File root;
        try {
            root = ParkedStamp.File.of(config.root());
        } catch (IOException e) {
            root = null;
        }
        if (root != null && root.equals(listedRoot) && listed != null) return listed;
        List<Path> fresh = config.directory().candidates();
        boolean trusted = root != null && !root.equals(ParkedStamp.File.MISSING)
                && root.modifiedNanos() < wallNanos - ParkedStamp.RACY_NANOS;
        listedRoot = trusted ? root : null;
        listed = fresh;
        return fresh;
    }

    /** Databases of one scan opened at once, and how many are opened before they join. */
    private static final int OPEN_THREADS = 16;
    private static final int OPEN_BATCH = 256;

    private DatabaseReplication open(Path file) {
        DatabaseConfig database = config.database(file);
        String relative = config.directory().relativeName(file);
        return host.open(database, r -> PrefixedReplicaClient.under(prefixClient(r.name()), relative, r.storage().describe()));
    }

    private void adopt(Path file, ParallelOpen.Outcome<DatabaseReplication> outcome) {
        DatabaseReplication db = outcome.value();
        if (outcome.error() != null) {
            // Logged once per kind of failure and file; tried again at every scan (a replica may come back).
            String message = String.valueOf(outcome.error().getMessage());
            if (!message.equals(failedToOpen.put(file, message))) {
                LOG.warn("{}: cannot start replicating it (tried again every scan): {}", file, message);
            }
            return;
        }
        if (failedToOpen.remove(file) != null) LOG.info("{}: opened after earlier failures", file);
        GatedScheduler loops = pool == null ? null : new GatedScheduler(pool, file, () -> gone(file));
        followed.put(file, new Followed(db, loops));
        host.join(db, loops);
    }

    /** The entry's replica named {@code name}, one client for every database of the entry. */
    private ReplicaClient prefixClient(String name) {
        synchronized (prefixClients) {
            return prefixClients.computeIfAbsent(name, n -> clients.apply(config.replicas().stream()
                    .filter(r -> r.name().equals(n)).findFirst().orElseThrow()));
        }
    }

    /** A database's own round found its file gone: let go of it from the pool, not from inside its round. */
    private void gone(Path file) {
        try {
            pool.execute(() -> {
                synchronized (this) {
                    Followed f = followed.get(file);
                    if (!closed && f != null && f.loops() != null && f.loops().isGone()) release(file);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the replicator is closing and closes it anyway
        }
    }

    /** Stops the database's loops, closes it (connections, channels, shadow files); its replica stays as it is. */
    private void release(Path file) {
        unfollowed = null; // its path may come back as another database: the next scan looks at everything
        Followed f = followed.remove(file);
        host.leave(f.db());
        if (f.loops() != null) f.loops().shut();
        f.db().close();
        LOG.info("{}: no longer following it: file removed or renamed away; its replica is kept", file);
    }

    /**
     * Stops scanning, after one last scan of a watched entry (a database created just before shutdown,
     * by an {@code -exec} child that then exits, still gets the final sync); the databases are closed by
     * the replicator's final sync.
     */
    public synchronized void cancel() {
        if (closed) return;
        if (future != null) future.cancel(false);
        if (config.watch() && pool != null) {
            try {
                scan();
            } catch (RuntimeException e) {
                LOG.warn("{}: last scan before the final sync failed: {}", config.root(), e.getMessage());
            }
        }
        closed = true;
    }

    /** Stops scanning (no last scan) and closes the shared replica clients, after every database of the entry was closed. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (future != null) future.cancel(false);
        }
        synchronized (prefixClients) {
            for (ReplicaClient c : prefixClients.values()) {
                try {
                    c.close();
                } catch (IOException | RuntimeException ignored) {
                    // closing anyway
                }
            }
            prefixClients.clear();
        }
    }
}
