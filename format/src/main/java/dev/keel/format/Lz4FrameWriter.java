package dev.keel.format;

import java.io.IOException;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Writes one LZ4 frame in the layout {@link Lz4} describes (independent blocks of at most 4 MiB,
 * content checksum, no block checksums), holding only as much memory as the data written so far: the
 * block buffer starts small and grows up to 4 MiB. A stream that always reserves two 4 MiB buffers
 * turns every small WAL segment into 8 MiB of garbage, which is what a fleet of databases pays for.
 */
final class Lz4FrameWriter extends OutputStream {
    static final int MAX_BLOCK = 4 << 20;
    private static final int FIRST_BUFFER = 16 << 10;
    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    private static final XXHashFactory XXHASH = XXHashFactory.fastestInstance();
    private static final XXHash32 HASH32 = XXHASH.hash32();
    /** FLG: version 01, block independence, content checksum; BD: 4 MiB maximum block size. */
    private static final byte FLG = (byte) 0b0110_0100;
    private static final byte BD = (byte) 0b0111_0000;

    private final OutputStream out;
    private final StreamingXXHash32 content = XXHASH.newStreamingHash32(0);
    private byte[] block;
    private byte[] compressed = new byte[0];
    private int filled;
    private boolean started;
    private boolean closed;

    /** {@code expectedBytes}: how many bytes will be written, when known (0: unknown, the buffer grows). */
    Lz4FrameWriter(OutputStream out, long expectedBytes) {
        this.out = out;
        this.block = new byte[(int) Math.min(MAX_BLOCK, Math.max(FIRST_BUFFER, expectedBytes))];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("the LZ4 frame is closed");
        while (len > 0) {
            if (filled == block.length) {
                if (block.length < MAX_BLOCK) {
                    block = java.util.Arrays.copyOf(block, Math.min(MAX_BLOCK, block.length * 2));
                } else {
                    flushBlock();
                }
            }
            int n = Math.min(len, block.length - filled);
            System.arraycopy(b, off, block, filled, n);
            content.update(b, off, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Bytes of buffer this writer holds now (tests). */
    int bufferBytes() {
        return block.length + compressed.length;
    }

    private void writeHeader() throws IOException {
        if (started) return;
        started = true;
        byte[] h = new byte[7];
        putIntLe(h, 0, Lz4FrameDescriptor.MAGIC);
        h[4] = FLG;
        h[5] = BD;
        h[6] = (byte) ((HASH32.hash(h, 4, 2, 0) >> 8) & 0xFF);
        out.write(h);
    }

    private void flushBlock() throws IOException {
        writeHeader();
        if (filled == 0) return;
        int max = COMPRESSOR.maxCompressedLength(filled);
        if (compressed.length < max) compressed = new byte[max];
        int size = COMPRESSOR.compress(block, 0, filled, compressed, 0, max);
        byte[] word = new byte[4];
        if (size >= filled) { // incompressible: stored as it is, flagged in the size word's high bit
            putIntLe(word, 0, filled | Lz4FrameDescriptor.STORED);
            out.write(word);
            out.write(block, 0, filled);
        } else {
            putIntLe(word, 0, size);
            out.write(word);
            out.write(compressed, 0, size);
        }
        filled = 0;
    }

    /** Ends the frame (last block, end mark, content checksum) and closes the underlying stream. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        flushBlock();
        closed = true;
        byte[] end = new byte[8];
        putIntLe(end, 4, content.getValue());
        out.write(end);
        out.close();
    }

    private static void putIntLe(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
