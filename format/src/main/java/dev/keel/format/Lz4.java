package dev.keel.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.xxhash.XXHashFactory;

/**
 * LZ4 frames as Litestream 0.3 writes and reads them: standard frame format, independent 4 MiB
 * blocks, content checksum on, block checksums off (Litestream's reader rejects them). Readable by the
 * {@code lz4} command.
 */
public final class Lz4 {
    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();
    private static final XXHashFactory XXHASH = XXHashFactory.fastestInstance();

    private Lz4() {
    }

    /**
     * Wraps {@code out} so that bytes written become one LZ4 frame; close() finishes the frame (end mark
     * and content checksum) and closes {@code out}.
     */
    public static OutputStream compressing(OutputStream out) throws IOException {
        return new Lz4FrameWriter(out, 0); // buffers grow with the data: a small segment costs kilobytes, not 8 MiB
    }

    /**
     * As {@link #compressing(OutputStream)}, for a caller that knows how many bytes it will write: the
     * block buffer is sized for them (up to the 4 MiB block) at once instead of growing by copies.
     */
    public static OutputStream compressing(OutputStream out, long expectedBytes) throws IOException {
        return new Lz4FrameWriter(out, expectedBytes);
    }

    /**
     * Decompresses one or more concatenated LZ4 frames (independent blocks; block checksums, content
     * size and skippable frames are accepted). The content checksum is verified when the end of each
     * frame is read, so a streaming reader sees the bytes before a mismatch is reported: verify what
     * you apply (WAL frames carry their own checksums) or read to the end first. Malformed, truncated
     * or empty input is an {@link IOException}.
     */
    public static InputStream decompressing(InputStream in) throws IOException {
        return new LZ4FrameInputStream(in, LZ4.safeDecompressor(), XXHASH.hash32());
    }

    /** One complete LZ4 frame holding {@code len} bytes of {@code data} from {@code off}. */
    public static byte[] compress(byte[] data, int off, int len) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, len / 2));
        try (OutputStream out = compressing(bytes, len)) {
            out.write(data, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** One complete LZ4 frame holding {@code data}. */
    public static byte[] compress(byte[] data) {
        return compress(data, 0, data.length);
    }

    /**
     * The content of the LZ4 frame(s) in {@code data}, every content checksum verified. To decode many
     * objects, keep one {@link Lz4FrameDecoder}: it reuses its buffer.
     */
    public static byte[] decompress(byte[] data) throws IOException {
        Lz4FrameDecoder decoder = new Lz4FrameDecoder();
        int length = decoder.decode(data, 0, data.length);
        return java.util.Arrays.copyOf(decoder.buffer(), length);
    }
}
