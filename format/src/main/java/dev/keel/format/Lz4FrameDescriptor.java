package dev.keel.format;

import java.io.IOException;
import net.jpountz.xxhash.XXHash32;

/**
 * The descriptor of one LZ4 frame (the bytes after its magic number), accepted on the same terms as
 * lz4-java's frame reader: version 1, independent blocks, no dictionary, reserved bits clear, a block
 * size of 64 KiB to 4 MiB and a matching header checksum.
 *
 * @param length bytes the descriptor takes, header checksum included
 * @param contentSize the declared content size, or -1 when the frame does not declare it
 */
record Lz4FrameDescriptor(boolean blockChecksums, boolean contentChecksum, long contentSize, int blockMaxSize, int length) {
    static final int MAGIC = 0x184D2204;
    /** Frame end marks and block sizes with this bit set mean "stored, not compressed". */
    static final int STORED = 0x80000000;

    /** True for the magic numbers of skippable frames (0x184D2A50 to 0x184D2A5F). */
    static boolean isSkippable(int magic) {
        return (magic >>> 4) == (0x184D2A50 >>> 4);
    }

    /** The descriptor's length, judged from its first byte (FLG). */
    static int length(byte flg) {
        return 3 + ((flg & 0x08) != 0 ? 8 : 0);
    }

    /** Parses and checks the descriptor at {@code off}; {@code b} must hold {@link #length(byte)} bytes from there. */
    static Lz4FrameDescriptor parse(byte[] b, int off, XXHash32 hash) throws IOException {
        int flg = b[off] & 0xff;
        int bd = b[off + 1] & 0xff;
        if (flg >>> 6 != 1) throw new IOException("LZ4 frame version " + (flg >>> 6) + " is unsupported");
        if ((flg & 0x03) != 0) throw new IOException("LZ4 frame uses a dictionary or reserved flags (FLG " + hex(flg) + ")");
        if ((flg & 0x20) == 0) throw new IOException("LZ4 frame has dependent blocks, which are unsupported");
        int sizeCode = (bd >>> 4) & 7;
        if ((bd & 0x8f) != 0 || sizeCode < 4) throw new IOException("LZ4 frame has an invalid block descriptor (BD " + hex(bd) + ")");
        boolean hasSize = (flg & 0x08) != 0;
        int length = length((byte) flg);
        long contentSize = -1;
        if (hasSize) {
            contentSize = (Bytes.intLE(b, off + 2) & 0xFFFFFFFFL) | ((long) Bytes.intLE(b, off + 6) << 32);
            if (contentSize < 0) throw new IOException("LZ4 frame declares a negative content size");
        }
        int expected = (hash.hash(b, off, length - 1, 0) >>> 8) & 0xff;
        if ((b[off + length - 1] & 0xff) != expected) throw new IOException("LZ4 frame descriptor is corrupted (header checksum)");
        return new Lz4FrameDescriptor((flg & 0x10) != 0, (flg & 0x04) != 0, contentSize, 1 << (8 + 2 * sizeCode), length);
    }

    private static String hex(int b) {
        return String.format("%02x", b);
    }
}
