package dev.keel.bench.replication;

import dev.keel.format.Lz4;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches a directory replica from outside, the same way for Keel and for Litestream: lists its WAL and
 * snapshot directories every {@value #POLL_MS} ms and notes when each new file first appeared (both
 * write to a temp name and rename, so a listed file is whole). A WAL segment's end offset is its name's
 * offset plus its decompressed length.
 */
final class ReplicaWatcher implements AutoCloseable {
    static final long POLL_MS = 2;
    private static final Pattern SEGMENT = Pattern.compile("([0-9a-f]{8})_([0-9a-f]{8})\\.wal\\.lz4");
    private static final Pattern SNAPSHOT = Pattern.compile("([0-9a-f]{8})\\.snapshot\\.lz4");

    /** A WAL segment of one index covering [offset, end), first seen at {@code seenNanos}. */
    record Segment(long index, long offset, long end, long seenNanos) {
    }

    private final Path root;
    private final Set<Path> seen = new HashSet<>();
    private final List<Segment> segments = new ArrayList<>();
    private int files;
    private long maxIndex = -1;
    private volatile boolean stopped;
    private final Thread thread;

    ReplicaWatcher(Path root) {
        this.root = root;
        this.thread = new Thread(this::loop, "replica-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!stopped) {
            try {
                scan();
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // a directory appearing or a file renamed while listed: the next pass sees it
            }
        }
    }

    private void scan() throws IOException {
        Path generations = root.resolve("generations");
        if (!Files.isDirectory(generations)) return;
        try (DirectoryStream<Path> gens = Files.newDirectoryStream(generations)) {
            for (Path g : gens) {
                scanDir(g.resolve("snapshots"), SNAPSHOT);
                scanDir(g.resolve("wal"), SEGMENT);
            }
        }
    }

    private void scanDir(Path dir, Pattern names) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path f : entries) {
                long now = System.nanoTime();
                Matcher m = names.matcher(f.getFileName().toString());
                if (!m.matches() || seen.contains(f)) continue;
                long index = Long.parseLong(m.group(1), 16);
                Segment s = null;
                if (names == SEGMENT) {
                    long offset = Long.parseLong(m.group(2), 16);
                    s = new Segment(index, offset, offset + Lz4.decompress(Files.readAllBytes(f)).length, now);
                }
                synchronized (this) {
                    seen.add(f);
                    files++;
                    maxIndex = Math.max(maxIndex, index);
                    if (s != null) segments.add(s);
                }
            }
        }
    }

    /** Files (snapshots and segments) seen so far: one PUT each. */
    synchronized int files() {
        return files;
    }

    /** The highest WAL index of any file seen (-1: none yet). */
    synchronized long maxIndex() {
        return maxIndex;
    }

    /** When the replica first held WAL index {@code index} up to {@code walEnd}; -1 when it never did. */
    synchronized long arrival(long index, long walEnd) {
        long first = -1;
        for (Segment s : segments) {
            if (s.index() == index && s.end() >= walEnd && (first < 0 || s.seenNanos() < first)) first = s.seenNanos();
        }
        return first;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(1000);
    }
}
