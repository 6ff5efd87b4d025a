package dev.keel.replication.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
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
 * <p>A wake-up stops that database's wake-ups until its driver asks for them again
 * ({@link Registration#rearm}): once woken, a driver runs rounds until its database is quiet, so later
 * notifications would tell it nothing, and a busy database writes its WAL tens of thousands of times a
 * second (handing each write on cost a fifth of a core, and a quarter of the application's write rate
 * on two cores). The other databases of the directory are still woken by their writes. When every
 * database of a directory is stopped (a directory of one busy database, the usual case), the
 * directory's watch itself is cancelled, so the kernel and the JDK's watch thread have no events to
 * handle either; the first re-arm starts it again.
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
         * Wakes this database again if a wake-up stopped that; true when it did (a write just before
         * may then have gone unnoticed: the caller looks).
         */
        default boolean rearm() {
            return false;
        }

        @Override
        void close();
    }

    /** One database's wake-up in a directory; {@code stopped} after it woke, until re-armed (changed under LOCK). */
    private static final class Watcher implements Registration {
        final Directory directory;
        final String walName;
        final Runnable wake;
        volatile boolean stopped;
        boolean closed;

        Watcher(Directory directory, String walName, Runnable wake) {
            this.directory = directory;
            this.walName = walName;
            this.wake = wake;
        }

        @Override
        public boolean rearm() {
            return stopped && WalWatch.rearm(this); // not stopped: a volatile read
        }

        @Override
        public void close() {
            leave(this);
        }
    }

    /** A watched directory: its key while watched (null while every watcher in it is stopped), guarded by LOCK. */
    private static final class Directory {
        final Path path;
        final Map<String, Set<Watcher>> watchers = new ConcurrentHashMap<>();
        /** Watchers not stopped; at 0 the key is cancelled. */
        int awake;
        WatchKey key;

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
            Watcher w = new Watcher(d, walName, wake);
            d.watchers.computeIfAbsent(walName, n -> ConcurrentHashMap.newKeySet()).add(w);
            d.awake++;
            try {
                arm(ws, d);
            } catch (IOException | RuntimeException e) {
                if (!limitLogged) {
                    limitLogged = true;
                    LOG.info("{}: its directory cannot be watched ({}); its commits are noticed at each monitor-interval "
                            + "tick (on Linux, raise fs.inotify.max_user_watches)", db, e.getMessage());
                }
                leave(w);
                return Registration.NONE;
            }
            return w;
        }
    }

    /** Watches {@code d} unless it is watched (again, after every watcher stopped or the directory was made anew). */
    private static void arm(WatchService ws, Directory d) throws IOException {
        WatchKey key = d.key;
        if (key != null && key.isValid()) return;
        if (key != null) BY_KEY.remove(key); // the directory was removed and made again: watch the new one
        d.key = null;
        key = d.path.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        d.key = key;
        BY_KEY.put(key, d);
    }

    private static boolean rearm(Watcher w) {
        synchronized (LOCK) {
            if (w.closed || !w.stopped) return false;
            w.stopped = false;
            Directory d = w.directory;
            d.awake++;
            if (d.key == null && service != null) {
                try {
                    arm(service, d);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("{}: its watch could not be started again ({}); its commits are noticed at each tick", d.path, e.getMessage());
                }
            }
            return true;
        }
    }

    /** {@code w} woke: no more wake-ups for it until re-armed; the directory's watch ends when none is awake. */
    private static void stop(Watcher w) {
        if (w.stopped || w.closed) return;
        w.stopped = true;
        Directory d = w.directory;
        if (--d.awake == 0 && d.key != null) {
            d.key.cancel();
            BY_KEY.remove(d.key);
            d.key = null;
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

    private static void leave(Watcher w) {
        synchronized (LOCK) {
            if (w.closed) return;
            w.closed = true;
            Directory d = w.directory;
            Set<Watcher> set = d.watchers.get(w.walName);
            if (set != null) {
                set.remove(w);
                if (set.isEmpty()) d.watchers.remove(w.walName);
            }
            if (!w.stopped) d.awake--;
            if (d.watchers.isEmpty() || d.awake == 0) {
                WatchKey key = d.key;
                if (key != null) {
                    key.cancel();
                    BY_KEY.remove(key);
                }
                d.key = null;
            }
            if (d.watchers.isEmpty() && BY_PATH.get(d.path) == d) BY_PATH.remove(d.path);
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
            List<Runnable> toWake = new ArrayList<>();
            List<WatchEvent<?>> events = key.pollEvents();
            boolean watching;
            synchronized (LOCK) {
                for (WatchEvent<?> event : events) {
                    if (d == null) continue;
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        d.watchers.values().forEach(set -> set.forEach(w -> wakeOnce(w, toWake))); // events were lost: every database looks
                    } else {
                        Set<Watcher> set = d.watchers.get(event.context().toString());
                        if (set != null) set.forEach(w -> wakeOnce(w, toWake));
                    }
                }
                watching = d == null || d.key == key; // stop() cancels it once no watcher in it is awake
            }
            if (watching) key.reset();
            toWake.forEach(WalWatch::wake);
        }
    }

    /** Under LOCK: a watcher not stopped yet is woken once and stopped. */
    private static void wakeOnce(Watcher w, List<Runnable> toWake) {
        if (w.stopped || w.closed) return;
        stop(w);
        toWake.add(w.wake);
    }

    private static void wake(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // a driver that is closing: the watch goes on for the others
        }
    }
}
