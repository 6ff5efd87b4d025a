package dev.keel.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Decodes a stream of LZ4 frames (e.g. a database snapshot) straight into a sink, block by block,
 * without the extra copies of a stream reader. Blocks are decompressed on the calling thread, or on an
 * executor's threads while the next blocks are read (blocks are independent; only the content
 * checksum needs them in order). The sink receives the content in order, on the calling thread, and
 * each frame's content checksum is verified before {@link #decode} returns; a sink that must not keep
 * unverified bytes (a file that is only renamed into place after a successful decode is fine) should
 * not act on them before then. Accepts what {@link Lz4#decompressing} accepts.
 */
public final class Lz4StreamDecoder {
    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();
    private static final XXHashFactory XXHASH = XXHashFactory.fastestInstance();
    private static final XXHash32 HASH32 = XXHASH.hash32();

    /**
     * Receives decoded content in order: {@code length} bytes from {@code content[from]}, which belong at
     * {@code offset}. The array is reused once the call returns.
     */
    public interface Sink {
        void write(long offset, byte[] content, int from, int length) throws IOException;
    }

    /** Content is hashed and handed to the sink in slices this big, so each slice is still in the CPU cache. */
    private static final int SLICE = 1 << 20;

    private final Executor executor;
    private final int window;

    /**
     * Decompresses on {@code executor}, with at most {@code window} blocks (of up to 4 MiB each) in flight;
     * with a null executor, on the calling thread (window 0).
     */
    public Lz4StreamDecoder(Executor executor, int window) {
        if (executor == null ? window != 0 : window < 1) {
            throw new IllegalArgumentException("window must be at least 1 with an executor, 0 without: " + window);
        }
        this.executor = executor;
        this.window = window;
    }

    /** A decoder that decompresses on the calling thread, which keeps each block in one core's cache. */
    public static Lz4StreamDecoder onCallingThread() {
        return new Lz4StreamDecoder(null, 0);
    }

    /** Decodes every frame of {@code in} into {@code sink}; returns the content's length. */
    public long decode(InputStream in, Sink sink) throws IOException {
        Run run = new Run(in, sink);
        try {
            return run.frames();
        } finally {
            run.abandon();
        }
    }

    /** One block read from the stream: stored as is, or being decompressed into {@code content}. */
    private static final class Block {
        byte[] compressed = new byte[0];
        byte[] content = new byte[0];
        int storedLength = -1;
        FutureTask<Integer> decompressed;

        int await() throws IOException {
            if (storedLength >= 0) return storedLength;
            try {
                return decompressed.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while decompressing");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof LZ4Exception) throw new IOException("LZ4 block is corrupt: " + cause.getMessage(), cause);
                if (cause instanceof RuntimeException r) throw r;
                if (cause instanceof Error err) throw err;
                throw new IOException(cause);
            }
        }
    }

    /** The state of one {@link #decode} call. */
    private final class Run {
        private final InputStream in;
        private final Sink sink;
        private final byte[] word = new byte[16];
        private final ArrayDeque<Block> inFlight = new ArrayDeque<>();
        private final ArrayDeque<Block> free = new ArrayDeque<>();
        private long offset;

        Run(InputStream in, Sink sink) {
            this.in = in;
            this.sink = sink;
        }

        long frames() throws IOException {
            boolean anyFrame = false;
            while (true) {
                int n = in.readNBytes(word, 0, 4);
                if (n == 0 && anyFrame) return offset;
                if (n < 4) throw premature();
                anyFrame = true;
                int magic = Bytes.intLE(word, 0);
                if (Lz4FrameDescriptor.isSkippable(magic)) {
                    long size = readInt() & 0xFFFFFFFFL;
                    in.skipNBytes(size); // EOFException (an IOException) when it ends early
                } else if (magic == Lz4FrameDescriptor.MAGIC) {
                    frame();
                } else {
                    throw new IOException(String.format("not an LZ4 frame (magic %08x)", magic));
                }
            }
        }

        private void frame() throws IOException {
            readFully(word, 0, 1);
            int length = Lz4FrameDescriptor.length(word[0]);
            readFully(word, 1, length - 1);
            Lz4FrameDescriptor d = Lz4FrameDescriptor.parse(word, 0, HASH32);
            long start = offset;
            try (StreamingXXHash32 hash = d.contentChecksum() ? XXHASH.newStreamingHash32(0) : null) {
                while (true) {
                    int w = readInt();
                    int size = w & ~Lz4FrameDescriptor.STORED;
                    if (size == 0) break; // end mark
                    if (size > d.blockMaxSize()) {
                        throw new IOException("LZ4 block of " + size + " bytes exceeds the frame's maximum of " + d.blockMaxSize());
                    }
                    Block b = read(size, (w & Lz4FrameDescriptor.STORED) != 0, d);
                    inFlight.add(b);
                    while (inFlight.size() > window) deliver(inFlight.poll(), hash);
                }
                while (!inFlight.isEmpty()) deliver(inFlight.poll(), hash);
                if (hash != null && readInt() != hash.getValue()) throw new IOException("LZ4 content checksum mismatch");
            }
            if (d.contentSize() >= 0 && d.contentSize() != offset - start) {
                throw new IOException("LZ4 frame holds " + (offset - start) + " bytes but declares " + d.contentSize());
            }
        }

        /** Reads one block and, unless it is stored, starts its decompression. */
        private Block read(int size, boolean stored, Lz4FrameDescriptor d) throws IOException {
            Block b = free.isEmpty() ? new Block() : free.poll();
            if (b.compressed.length < size) b.compressed = new byte[Math.max(size, Math.min(d.blockMaxSize(), 2 * b.compressed.length))];
            readFully(b.compressed, 0, size);
            if (d.blockChecksums() && readInt() != HASH32.hash(b.compressed, 0, size, 0)) {
                throw new IOException("LZ4 block checksum mismatch");
            }
            if (stored) {
                b.storedLength = size;
                b.decompressed = null;
                return b;
            }
            if (b.content.length < d.blockMaxSize()) b.content = new byte[d.blockMaxSize()];
            b.storedLength = -1;
            byte[] src = b.compressed;
            byte[] dst = b.content;
            int max = d.blockMaxSize();
            b.decompressed = new FutureTask<>(() -> LZ4.decompress(src, 0, size, dst, 0, max));
            if (executor == null) {
                b.decompressed.run();
            } else {
                executor.execute(b.decompressed);
            }
            return b;
        }

        private void deliver(Block b, StreamingXXHash32 hash) throws IOException {
            int n = b.await();
            byte[] content = b.storedLength >= 0 ? b.compressed : b.content;
            for (int from = 0; from < n; from += SLICE) {
                int length = Math.min(SLICE, n - from);
                if (hash != null) hash.update(content, from, length);
                sink.write(offset, content, from, length);
                offset += length;
            }
            free.add(b);
        }

        /** Stops decompressions still queued after a failure; their buffers are simply dropped. */
        void abandon() {
            for (Block b : inFlight) {
                if (b.decompressed != null) b.decompressed.cancel(false);
            }
            inFlight.clear();
        }

        private int readInt() throws IOException {
            readFully(word, 0, 4);
            return Bytes.intLE(word, 0);
        }

        private void readFully(byte[] b, int off, int len) throws IOException {
            if (in.readNBytes(b, off, len) < len) throw premature();
        }

        private IOException premature() {
            return new IOException("LZ4 input ends prematurely");
        }
    }
}
