package dev.keel.replication.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
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
 * <p>Nothing is watched where the JDK has no native watch (it would poll every directory itself, which
 * costs more than the tick it replaces) or where a directory cannot be watched (the kernel's limit on
 * watches reached): those databases are noticed by the tick alone, as without a watch.
 */
final class WalWatch {
    private static final Logger LOG = LoggerFactory.getLogger(WalWatch.class);

    /** One registration; closing it stops the wake-ups (the directory's watch goes with its last one). */
    interface Registration extends AutoCloseable {
        Registration NONE = () -> { };

        @Override
        void close();
    }

    private record Directory(Path path, WatchKey key, Map<String, Set<Runnable>> wakes) {
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
            Directory d = BY_PATH.get(dir);
            if (d != null && !d.key().isValid()) { // the directory was removed and made again: watch the new one
                BY_PATH.remove(dir);
                BY_KEY.remove(d.key());
            }
            if (d == null || !d.key().isValid()) {
                Directory stale = d;
                WatchKey key;
                try {
                    key = dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                } catch (IOException | RuntimeException e) {
                    if (!limitLogged) {
                        limitLogged = true;
                        LOG.info("{}: its directory cannot be watched ({}); its commits are noticed at each monitor-interval "
                                + "tick (on Linux, raise fs.inotify.max_user_watches)", db, e.getMessage());
                    }
                    closeIfUnused();
                    return Registration.NONE;
                }
                d = new Directory(dir, key, stale == null ? new ConcurrentHashMap<>() : stale.wakes());
                BY_PATH.put(dir, d);
                BY_KEY.put(key, d);
            }
            d.wakes().computeIfAbsent(walName, n -> ConcurrentHashMap.newKeySet()).add(wake);
            return () -> leave(dir, walName, wake);
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
            Set<Runnable> wakes = d.wakes().get(walName);
            if (wakes == null || !wakes.remove(wake)) return;
            if (wakes.isEmpty()) d.wakes().remove(walName);
            if (d.wakes().isEmpty()) {
                d.key().cancel();
                BY_PATH.remove(d.path());
                BY_KEY.remove(d.key());
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
            for (WatchEvent<?> event : key.pollEvents()) {
                if (d == null) continue;
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    d.wakes().values().forEach(set -> set.forEach(WalWatch::wake)); // events were lost: every database looks
                } else {
                    Set<Runnable> wakes = d.wakes().get(event.context().toString());
                    if (wakes != null) wakes.forEach(WalWatch::wake);
                }
            }
            key.reset();
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
