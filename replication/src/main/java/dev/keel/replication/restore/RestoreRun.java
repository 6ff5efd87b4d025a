package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.format.DatabaseHeader;
import dev.keel.format.Lz4;
import dev.keel.format.Lz4FrameDecoder;
import dev.keel.format.Lz4StreamDecoder;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.internal.WriteGate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One restore of a plan into a temp file: the snapshot is downloaded and decompressed on a worker
 * while WAL segments are fetched ahead (up to {@code parallelism} at once)
 * and replayed strictly in order on the calling thread. Leaves a complete, checked, fsynced file at
 * {@code temp} or throws.
 */
final class RestoreRun {
    /** A check of the complete file; it runs while the file is being fsynced. */
    interface FileCheck {
        void check(Path file) throws IOException;
    }

    private final ReplicaObjects objects;
    private final RestorePlan plan;
    private final RestoreOptions options;
    private final Path temp;
    private final Path output;
    private final WriteGate gate;
    private final long memoryBudget;
    private final CompletableFuture<DatabaseHeader> snapshotHeader = new CompletableFuture<>();
    private final Lz4FrameDecoder segmentDecoder = new Lz4FrameDecoder();
    private WalReplayer replayer;
    private DatabaseImage image;

    /**
     * {@code temp}: the file to build, for a restore to {@code output}; {@code gate}: called before each
     * write to it; {@code memoryBudget}: bytes of replayed pages kept before they are written (0: from
     * the heap size).
     */
    RestoreRun(ReplicaObjects objects, RestorePlan plan, RestoreOptions options, Path temp, Path output, WriteGate gate,
               long memoryBudget) {
        this.objects = objects;
        this.plan = plan;
        this.options = options;
        this.temp = temp;
        this.output = output;
        this.gate = gate;
        this.memoryBudget = memoryBudget > 0 ? memoryBudget
                : Math.max(16L << 20, Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4));
    }

    /**
     * Builds the database at {@code temp} and runs {@code check} (null for none) on it; returns the
     * result without output path and timings filled in.
     */
    RestoreResult run(FileCheck check) throws IOException {
        RestoreListener listener = options.listener();
        listener.planned(plan, plan.compressedBytes(), 1 + plan.segments().size());
        ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), daemonThreads("keel-restore-"));
        try (OutputFile file = OutputFile.create(temp, output, gate)) {
            Future<Long> snapshot = pool.submit(() -> copySnapshot(file));
            replaySegments(pool, file, snapshot, memoryBudget);
            long size = await(snapshot, plan.snapshot().key(), "snapshot");
            if (image != null) {
                image.flush();
                size = file.size();
            }
            // The check reads the finished pages from the page cache while fsync writes them to disk:
            // both must succeed before the file is renamed into place, and neither needs the other.
            Future<Void> checked = check == null ? null : pool.submit(() -> {
                check.check(temp);
                return null;
            });
            file.force();
            if (checked != null) awaitCheck(checked);
            Position position = replayer == null || replayer.index() < 0
                    ? new Position(plan.generation(), plan.snapshot().index(), 0)
                    : new Position(plan.generation(), replayer.index(), replayer.offset());
            return new RestoreResult(null, null, plan.replica(), plan.generation(), plan.snapshot().index(), position,
                    plan.segments().size(), replayer == null ? 0 : replayer.frames(),
                    replayer == null ? 0 : replayer.commits(), plan.compressedBytes(), size,
                    image == null ? 0 : image.pagesWritten(), Duration.ZERO, Duration.ZERO);
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A segment fetched ahead of its turn ({@code bytes}), or null bytes: it is streamed when its turn comes. */
    private record Pending(WalSegmentInfo segment, Future<byte[]> bytes) {
    }

    /**
     * Replays the segments in order while fetching up to {@code parallelism} of them ahead, held in
     * memory up to half the memory budget. A segment larger than an eighth of the budget (a bulk load
     * committed in one transaction can make one of gigabytes) is not held at all: it is downloaded,
     * decompressed and replayed as one stream when its turn comes.
     */
    private void replaySegments(ExecutorService pool, OutputFile file, Future<Long> snapshot, long memory) throws IOException {
        List<WalSegmentInfo> segments = plan.segments();
        if (segments.isEmpty()) return;
        long streamOver = Math.max(1, memory / 8);
        long window = memory / 2;
        Deque<Pending> ahead = new ArrayDeque<>();
        long aheadBytes = 0;
        int next = 0;
        for (int i = 0; i < segments.size(); i++) {
            while (next < segments.size() && ahead.size() < options.parallelism()) {
                WalSegmentInfo upcoming = segments.get(next);
                boolean stream = upcoming.size() > streamOver;
                if (!stream && !ahead.isEmpty() && aheadBytes + upcoming.size() > window) break;
                ahead.add(new Pending(upcoming, stream ? null : pool.submit(() -> objects.readAll(upcoming.key()))));
                if (!stream) aheadBytes += upcoming.size();
                next++;
            }
            Pending pending = ahead.poll();
            WalSegmentInfo segment = pending.segment();
            byte[] compressed = pending.bytes() == null ? null : await(pending.bytes(), segment.key(), "WAL segment");
            if (compressed != null) aheadBytes -= segment.size();
            if (replayer == null) {
                DatabaseHeader base = await(snapshotHeader, plan.snapshot().key(), "snapshot");
                image = new DatabaseImage(file, base.pageSize(), memory, () -> await(snapshot, plan.snapshot().key(), "snapshot"));
                replayer = new WalReplayer(image, base.pageSize());
            }
            long stopOffset = i == segments.size() - 1 ? plan.stopOffset() : -1;
            try {
                if (compressed == null) {
                    try (InputStream in = Lz4.decompressing(objects.open(segment.key(), n -> { }))) {
                        replayer.apply(segment, in, stopOffset);
                    }
                } else {
                    int length = segmentDecoder.decode(compressed, 0, compressed.length);
                    replayer.apply(segment, new ByteArrayInputStream(segmentDecoder.buffer(), 0, length), stopOffset);
                }
            } catch (KeelException e) {
                if (e.subject() != null || e.code() != ErrorCode.BAD_INPUT) throw e; // already names its object
                throw objects.failure(segment.key(), "WAL segment", e);
            } catch (IOException | RuntimeException e) {
                throw objects.failure(segment.key(), "WAL segment", e);
            }
            options.listener().progressed(segment.size());
        }
        if (plan.stopOffset() >= 0 && replayer.offset() < plan.stopOffset()) {
            WalSegmentInfo lastSegment = segments.get(segments.size() - 1);
            throw new KeelException(ErrorCode.NOT_FOUND, "the replica's WAL ends at offset " + replayer.offset()
                    + ", before the target position " + plan.generation() + "/" + lastSegment.index() + ":" + plan.stopOffset(),
                    objects.describe() + "/" + lastSegment.key(), "restore to a position the replica has reached");
        }
        replayer.finish();
    }

    /**
     * Decompresses the snapshot into the file; returns its size. Runs on a worker, which also
     * decompresses: LZ4 decodes at GB/s, and handing 4 MiB blocks to another core costs more in cache
     * misses than it saves (measured on two cores).
     */
    private long copySnapshot(OutputFile file) throws IOException {
        SnapshotInfo snapshot = plan.snapshot();
        try (InputStream in = objects.open(snapshot.key(), options.listener()::progressed)) {
            SnapshotWriter writer = new SnapshotWriter(file, snapshotHeader);
            return writer.finish(Lz4StreamDecoder.onCallingThread().decode(in, writer));
        } catch (Throwable e) {
            KeelException failure = objects.failure(snapshot.key(), "snapshot", e);
            snapshotHeader.completeExceptionally(failure);
            throw failure;
        }
    }

    private static void awaitCheck(Future<Void> checked) throws IOException {
        try {
            checked.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("restore interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    private <T> T await(Future<T> future, String key, String what) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("restore interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof KeelException k) throw k;
            throw objects.failure(key, what, cause);
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
