package dev.keel.format;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Decodes LZ4 frames held in memory (e.g. a downloaded WAL segment) into one buffer that it keeps
 * for the next call, so decoding many small objects allocates nothing once the buffer has grown.
 * Accepts what {@link Lz4#decompressing} accepts (concatenated and skippable frames, block checksums,
 * content sizes) and verifies every checksum before returning: the content is returned whole and
 * verified, or not at all. Not safe for concurrent use; use one decoder per thread.
 */
public final class Lz4FrameDecoder {
    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();
    private static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();
    private static final int MAX_CONTENT = Integer.MAX_VALUE - 16;

    private byte[] buffer = new byte[0];

    /**
     * Decodes the frames in {@code src[off, off + len)}; returns the content's length. The content is in
     * {@link #buffer()} from index 0 until the next call. Malformed, truncated or empty input, or a
     * checksum mismatch, is an {@link IOException}.
     */
    public int decode(byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        Input in = new Input(src, off, off + len);
        int out = 0;
        boolean anyFrame = false;
        while (!anyFrame || in.pos < in.end) {
            int magic = in.intLE();
            anyFrame = true;
            if (Lz4FrameDescriptor.isSkippable(magic)) {
                in.skip(in.intLE() & 0xFFFFFFFFL);
            } else if (magic == Lz4FrameDescriptor.MAGIC) {
                out = frame(in, out);
            } else {
                throw new IOException(String.format("not an LZ4 frame (magic %08x at byte %d)", magic, in.pos - 4 - off));
            }
        }
        return out;
    }

    /** The decoded content of the last {@link #decode} call, from index 0 to its return value. */
    public byte[] buffer() {
        return buffer;
    }

    private int frame(Input in, int out) throws IOException {
        in.require(1);
        in.require(Lz4FrameDescriptor.length(in.src[in.pos]));
        Lz4FrameDescriptor d = Lz4FrameDescriptor.parse(in.src, in.pos, XXHASH);
        in.pos += d.length();
        int start = out;
        while (true) {
            int word = in.intLE();
            int size = word & ~Lz4FrameDescriptor.STORED;
            if (size == 0) break; // end mark
            if (size > d.blockMaxSize()) {
                throw new IOException("LZ4 block of " + size + " bytes exceeds the frame's maximum of " + d.blockMaxSize());
            }
            in.require(size + (d.blockChecksums() ? 4 : 0));
            if (d.blockChecksums() && XXHASH.hash(in.src, in.pos, size, 0) != Bytes.intLE(in.src, in.pos + size)) {
                throw new IOException("LZ4 block checksum mismatch");
            }
            if ((word & Lz4FrameDescriptor.STORED) != 0) {
                ensure(out, size);
                System.arraycopy(in.src, in.pos, buffer, out, size);
                out += size;
            } else {
                ensure(out, d.blockMaxSize());
                try {
                    out += LZ4.decompress(in.src, in.pos, size, buffer, out, d.blockMaxSize());
                } catch (LZ4Exception e) {
                    throw new IOException("LZ4 block is corrupt: " + e.getMessage(), e);
                }
            }
            in.pos += size + (d.blockChecksums() ? 4 : 0);
        }
        if (d.contentChecksum() && in.intLE() != XXHASH.hash(buffer, start, out - start, 0)) {
            throw new IOException("LZ4 content checksum mismatch");
        }
        if (d.contentSize() >= 0 && d.contentSize() != out - start) {
            throw new IOException("LZ4 frame holds " + (out - start) + " bytes but declares " + d.contentSize());
        }
        return out;
    }

    /** Makes room for {@code more} bytes after {@code used}, keeping the content so far. */
    private void ensure(int used, int more) throws IOException {
        if ((long) used + more > MAX_CONTENT) throw new IOException("LZ4 content exceeds " + MAX_CONTENT + " bytes");
        int needed = used + more;
        if (buffer.length < needed) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(MAX_CONTENT, Math.max(needed, 2L * buffer.length)));
        }
    }

    /** A read position in the compressed bytes, failing on reads past their end. */
    private static final class Input {
        final byte[] src;
        final int end;
        int pos;

        Input(byte[] src, int start, int end) {
            this.src = src;
            this.pos = start;
            this.end = end;
        }

        void require(long n) throws IOException {
            if (end - pos < n) throw new IOException("LZ4 input ends prematurely");
        }

        int intLE() throws IOException {
            require(4);
            int v = Bytes.intLE(src, pos);
            pos += 4;
            return v;
        }

        void skip(long n) throws IOException {
            require(n);
            pos += (int) n;
        }
    }
}
