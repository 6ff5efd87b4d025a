package dev.keel.replication.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a database's driver within milliseconds that its WAL file was written, through the operating
 * system's file notifications (inotify on Linux): one watch per directory holding databases and one
 * thread per process, whatever the number of databases. An idle database costs a map entry and no
 * wake-up; the periodic tick stays the fallback and what correctness rests on, so a missed or merged
 * notification only delays a commit to the next tick.
 *
 * <p>A wake-up stops the directory's watch until a driver asks for it again ({@link Registration#rearm}):
 * once woken, a driver runs rounds until its database is quiet, so later notifications would tell it
 * nothing, and a busy database writes its WAL tens of thousands of times a second, each write an event
 * the JDK's watch thread and this one would handle (measured: a fifth of a core, and a quarter of the
 * application's write rate on two cores). A busy database's driver re-arms the watch at the end of each
 * of its rounds, so its directory's other databases are still noticed within a round (its next write
 * stops the watch again: one event a round instead of one a write); a tick re-arms a watch stopped for
 * longer than a second, whoever stopped it.
 *
 * <p>Nothing is watched where the JDK has no native watch (it would poll every directory itself, which
 * costs more than the tick it replaces) or where a directory cannot be watched (the kernel's limit on
 * watches reached): those databases are noticed by the tick alone, as without a watch.
 */
final class WalWatch {
    private static final Logger LOG = LoggerFactory.getLogger(WalWatch.class);

    /** One registration; closing it stops the wake-ups (the directory's watch goes with its last one). */
    interface Registration extends AutoCloseable {
        Registration NONE = () -> { };

        /**
         * Watches the directory again if a wake-up stopped it at least {@code minStoppedNanos} ago; true
         * when it did (a write just before may then have gone unnoticed: the caller looks).
         */
        default boolean rearm(long minStoppedNanos) {
            return false;
        }

        @Override
        void close();
    }

    /** A watched directory: its key while watched (null while a wake-up stopped it), guarded by LOCK. */
    private static final class Directory {
        final Path path;
        final Map<String, Set<Runnable>> wakes = new ConcurrentHashMap<>();
        volatile WatchKey key;
        long stoppedAt;

        Directory(Path path) {
            this.path = path;
        }
    }

    private static final Object LOCK = new Object();
    private static WatchService service;
    private static boolean unsupported;
    private static boolean limitLogged;
    private static final Map<Path, Directory> BY_PATH = new ConcurrentHashMap<>();
    private static final Map<WatchKey, Directory> BY_KEY = new ConcurrentHashMap<>();

    private WalWatch() {
    }

    /**
     * Calls {@code wake} (on the watch's thread: it must only hand work on, never block) whenever the
     * WAL file of {@code db} is created or written; NONE when the platform or the kernel's limits allow
     * no watch.
     */
    static Registration onWalWrite(Path db, Runnable wake) {
        Path file = resolved(db);
        Path dir = file.getParent();
        if (dir == null) return Registration.NONE;
        String walName = file.getFileName() + "-wal";
        synchronized (LOCK) {
            WatchService ws = service();
            if (ws == null) return Registration.NONE;
            Directory d = BY_PATH.computeIfAbsent(dir, Directory::new);
            d.wakes.computeIfAbsent(walName, n -> ConcurrentHashMap.newKeySet()).add(wake);
            try {
                arm(ws, d); // a new database is woken by its first write, even where a wake-up stopped the watch
            } catch (IOException | RuntimeException e) {
                if (!limitLogged) {
                    limitLogged = true;
                    LOG.info("{}: its directory cannot be watched ({}); its commits are noticed at each monitor-interval "
                            + "tick (on Linux, raise fs.inotify.max_user_watches)", db, e.getMessage());
                }
                leave(dir, walName, wake);
                return Registration.NONE;
            }
            return new Registration() {
                @Override
                public boolean rearm(long minStoppedNanos) {
                    return WalWatch.rearm(d, minStoppedNanos);
                }

                @Override
                public void close() {
                    leave(dir, walName, wake);
                }
            };
        }
    }

    /** Watches {@code d} unless it is watched (again, after a wake-up stopped it or the directory was made anew). */
    private static void arm(WatchService ws, Directory d) throws IOException {
        WatchKey key = d.key;
        if (key != null && key.isValid()) return;
        if (key != null) BY_KEY.remove(key); // the directory was removed and made again: watch the new one
        d.key = null;
        key = d.path.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        d.key = key;
        BY_KEY.put(key, d);
    }

    private static boolean rearm(Directory d, long minStoppedNanos) {
        if (d.key != null) return false; // watched: the common case costs a volatile read
        synchronized (LOCK) {
            if (d.key != null || BY_PATH.get(d.path) != d || service == null) return false;
            if (System.nanoTime() - d.stoppedAt < minStoppedNanos) return false;
            try {
                arm(service, d);
                return true;
            } catch (IOException | RuntimeException e) {
                LOG.debug("{}: its watch could not be started again ({}); its commits are noticed at each tick", d.path, e.getMessage());
                return false;
            }
        }
    }

    /** A wake-up went out: the drivers it reached look until their databases are quiet, then re-arm. */
    private static void stop(Directory d, WatchKey key) {
        synchronized (LOCK) {
            if (d.key != key) return;
            key.cancel();
            BY_KEY.remove(key);
            d.key = null;
            d.stoppedAt = System.nanoTime();
        }
    }

    /** SQLite names the WAL after the database's real path (links resolved); so does the watch. */
    private static Path resolved(Path db) {
        try {
            return db.toRealPath();
        } catch (IOException e) {
            return db.toAbsolutePath().normalize();
        }
    }

    private static void leave(Path dir, String walName, Runnable wake) {
        synchronized (LOCK) {
            Directory d = BY_PATH.get(dir);
            if (d == null) return;
            Set<Runnable> wakes = d.wakes.get(walName);
            if (wakes == null || !wakes.remove(wake)) return;
            if (wakes.isEmpty()) d.wakes.remove(walName);
            if (d.wakes.isEmpty()) {
                WatchKey key = d.key;
                if (key != null) {
                    key.cancel();
                    BY_KEY.remove(key);
                }
                d.key = null;
                BY_PATH.remove(d.path);
            }
            closeIfUnused();
        }
    }

    /** The process's watch service, started with its thread on first use; null where none is native. */
    private static WatchService service() {
        if (service != null || unsupported) return service;
        try {
            WatchService ws = FileSystems.getDefault().newWatchService();
            // The JDK's fallback polls each directory every few seconds: slower than the tick, and not free.
            if (ws.getClass().getSimpleName().startsWith("Polling")) {
                ws.close();
                unsupported = true;
                return null;
            }
            service = ws;
            Thread t = new Thread(() -> dispatch(ws), "keel-wal-watch");
            t.setDaemon(true);
            t.start();
            return ws;
        } catch (IOException | RuntimeException e) {
            LOG.debug("no file-system watch: {}", e.getMessage());
            unsupported = true; // the inotify instance limit, or none on this platform: the tick notices commits
            return null;
        }
    }

    /** The last registration gone: closing the service ends its thread (a later registration starts both again). */
    private static void closeIfUnused() {
        if (!BY_PATH.isEmpty() || service == null) return;
        try {
            service.close();
        } catch (IOException ignored) {
            // its thread ends anyway
        }
        service = null;
    }

    private static void dispatch(WatchService ws) {
        while (true) {
            WatchKey key;
            try {
                key = ws.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            Directory d = BY_KEY.get(key);
            Set<Runnable> toWake = new HashSet<>(); // each driver once, however many writes the batch holds
            for (WatchEvent<?> event : key.pollEvents()) {
                if (d == null) continue;
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    d.wakes.values().forEach(toWake::addAll); // events were lost: every database looks
                } else {
                    Set<Runnable> wakes = d.wakes.get(event.context().toString());
                    if (wakes != null) toWake.addAll(wakes);
                }
            }
            if (toWake.isEmpty()) {
                key.reset();
            } else {
                stop(d, key);
                toWake.forEach(WalWatch::wake);
            }
        }
    }

    private static void wake(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // a driver that is closing: the watch goes on for the others
        }
    }
}
