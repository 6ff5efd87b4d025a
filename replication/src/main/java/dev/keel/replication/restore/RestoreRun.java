package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.format.DatabaseHeader;
import dev.keel.format.Lz4;
import dev.keel.format.WalFormatException;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * while WAL segments are fetched ahead (up to {@code parallelism} at once) and replayed strictly in
 * order on the calling thread. Leaves a complete, fsynced file at {@code temp} or throws.
 */
final class RestoreRun {
    private static final int COPY_BUFFER = 1 << 20;

    private final ReplicaObjects objects;
    private final RestorePlan plan;
    private final RestoreOptions options;
    private final Path temp;
    private final CompletableFuture<Integer> snapshotPageSize = new CompletableFuture<>();
    private WalReplayer replayer;
    private DatabaseImage image;

    RestoreRun(ReplicaObjects objects, RestorePlan plan, RestoreOptions options, Path temp) {
        this.objects = objects;
        this.plan = plan;
        this.options = options;
        this.temp = temp;
    }

    /** Builds the database at {@code temp}; returns the result without output path and timings filled in. */
    RestoreResult run() throws IOException {
        RestoreListener listener = options.listener();
        listener.planned(plan, plan.compressedBytes(), 1 + plan.segments().size());
        ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), daemonThreads());
        try (FileChannel file = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            Future<Long> snapshot = pool.submit(() -> copySnapshot(file));
            long memory = Math.max(16L << 20, Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4));
            replaySegments(pool, file, snapshot, memory);
            long size = await(snapshot, plan.snapshot().key(), "snapshot");
            if (image != null) {
                image.flush();
                size = file.size();
            }
            file.force(true);
            Position position = replayer == null || replayer.index() < 0
                    ? new Position(plan.generation(), plan.snapshot().index(), 0)
                    : new Position(plan.generation(), replayer.index(), replayer.offset());
            return new RestoreResult(null, plan.replica(), plan.generation(), plan.snapshot().index(), position,
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

    private void replaySegments(ExecutorService pool, FileChannel file, Future<Long> snapshot, long memory) throws IOException {
        List<WalSegmentInfo> segments = plan.segments();
        if (segments.isEmpty()) return;
        Deque<Future<byte[]>> ahead = new ArrayDeque<>();
        int next = 0;
        for (int i = 0; i < segments.size(); i++) {
            while (next < segments.size() && ahead.size() < options.parallelism()) {
                String key = segments.get(next++).key();
                ahead.add(pool.submit(() -> objects.readAll(key)));
            }
            WalSegmentInfo segment = segments.get(i);
            byte[] compressed = await(ahead.poll(), segment.key(), "WAL segment");
            if (replayer == null) {
                int pageSize = await(snapshotPageSize, plan.snapshot().key(), "snapshot");
                image = new DatabaseImage(file, pageSize, memory, () -> await(snapshot, plan.snapshot().key(), "snapshot"));
                replayer = new WalReplayer(image, pageSize);
            }
            boolean last = i == segments.size() - 1;
            try (InputStream in = Lz4.decompressing(new ByteArrayInputStream(compressed))) {
                replayer.apply(segment, in, last ? plan.stopOffset() : -1);
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

    /** Decompresses the snapshot into the file; returns its size. Runs on a worker. */
    private long copySnapshot(FileChannel file) throws IOException {
        SnapshotInfo snapshot = plan.snapshot();
        try (InputStream in = Lz4.decompressing(objects.open(snapshot.key(), options.listener()::progressed))) {
            byte[] buf = new byte[COPY_BUFFER];
            long pos = 0;
            int pageSize = 0;
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (n == 0) break;
                if (pos == 0) {
                    byte[] head = java.util.Arrays.copyOf(buf, Math.max(n, DatabaseHeader.SIZE));
                    if (n < DatabaseHeader.SIZE || !DatabaseHeader.looksLikeDatabase(head)) {
                        throw new WalFormatException("the snapshot is not a SQLite database");
                    }
                    pageSize = DatabaseHeader.parse(head).pageSize();
                    snapshotPageSize.complete(pageSize);
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) pos += file.write(bb, pos);
            }
            if (pos == 0) throw new WalFormatException("the snapshot is empty");
            if (pos % pageSize != 0) {
                throw new WalFormatException("the snapshot is " + pos + " bytes, not a whole number of " + pageSize + "-byte pages");
            }
            return pos;
        } catch (Throwable e) {
            KeelException failure = objects.failure(snapshot.key(), "snapshot", e);
            snapshotPageSize.completeExceptionally(failure);
            throw failure;
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

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "keel-restore-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
