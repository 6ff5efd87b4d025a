package dev.keel.replication.restore;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;

/**
 * Wakes a follower of a directory replica as soon as a file appears in the followed generation (its
 * {@code wal/} directory, the generation's own directory until {@code wal/} exists, and
 * {@code generations/} for a new generation), through the operating system's file notifications
 * (inotify on Linux). The poll interval stays what correctness rests on: a missed or merged event
 * only delays a change to the next poll. Nothing is watched for other storages, or where the JDK has
 * no native watch (its fallback polls directories itself every few seconds).
 */
final class ReplicaWatch implements AutoCloseable {
    static final ReplicaWatch NONE = new ReplicaWatch(null, null, null);

    private final Path root;
    private final WatchService service;
    private final Runnable wake;
    private final List<WatchKey> keys = new ArrayList<>();
    private Generation watched;
    private boolean walWatched;

    private ReplicaWatch(Path root, WatchService service, Runnable wake) {
        this.root = root;
        this.service = service;
        this.wake = wake;
    }

    /** A watch of {@code client}'s directory calling {@code wake} (which must not block), or NONE. */
    static ReplicaWatch of(ReplicaClient client, Runnable wake) {
        if (!(client instanceof FileReplicaClient file)) return NONE;
        WatchService ws;
        try {
            ws = FileSystems.getDefault().newWatchService();
        } catch (IOException | RuntimeException e) {
            return NONE; // the inotify instance limit, or none on this platform: polls alone notice changes
        }
        if (ws.getClass().getSimpleName().startsWith("Polling")) {
            closeQuietly(ws);
            return NONE;
        }
        ReplicaWatch watch = new ReplicaWatch(file.root(), ws, wake);
        Thread t = new Thread(watch::dispatch, "keel-follow-watch");
        t.setDaemon(true);
        t.start();
        return watch;
    }

    /**
     * Watches {@code generation}; called before each poll, it registers what was missing (the
     * {@code wal/} directory once the replica made it) and moves to a new generation after a rebuild.
     */
    synchronized void follow(Generation generation) {
        if (service == null) return;
        if (generation.equals(watched) && walWatched) return;
        if (!generation.equals(watched)) {
            keys.forEach(WatchKey::cancel);
            keys.clear();
            watched = generation;
            walWatched = false;
            register(root.resolve(ReplicaLayout.GENERATIONS));
            register(root.resolve(ReplicaLayout.generationPrefix(generation)));
        }
        walWatched = register(root.resolve(ReplicaLayout.walPrefix(generation)));
    }

    private boolean register(Path dir) {
        try {
            keys.add(dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY));
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // not there yet, or the kernel's watch limit: the next poll tries again
        }
    }

    private void dispatch() {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            key.pollEvents();
            key.reset();
            wake.run();
        }
    }

    @Override
    public void close() {
        if (service != null) closeQuietly(service); // ends the thread
    }

    private static void closeQuietly(WatchService ws) {
        try {
            ws.close();
        } catch (IOException ignored) {
            // nothing is pending on a watch
        }
    }
}
