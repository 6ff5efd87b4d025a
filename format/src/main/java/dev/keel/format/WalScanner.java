package dev.keel.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Finds how far a live WAL file holds committed, valid frames. Reads with positional reads only,
 * so the channel can stay open for the lifetime of a monitor (closing descriptors on a db file
 * drops SQLite's POSIX locks).
 */
public final class WalScanner {
    private static final int MAX_BATCH_BYTES = 4 << 20;
    private static final int FIRST_BATCH_FRAMES = 16;

    private WalScanner() {
    }

    /**
     * The result of a scan: {@code endOffset} is just past the last valid commit frame (equal to the
     * start offset when none was found), {@code checksum} the running checksum there,
     * {@code commitSize} the database size in pages after that commit (0 when none), and
     * {@code framesScanned} how many valid frames were read, committed or not. {@code frames} counts
     * the frames up to and including the last commit frame, from the start offset.
     */
    public record Committed(long endOffset, WalChecksum checksum, long commitSize, long frames, long framesScanned) {
        /** True when at least one commit frame was found after the start offset. */
        public boolean found() {
            return frames > 0;
        }
    }

    /** Reads and verifies the header of a WAL file; null when the file is shorter than a header. */
    public static WalHeader readHeader(FileChannel wal) throws IOException {
        byte[] b = new byte[WalHeader.SIZE];
        if (readFully(wal, b, 0) < WalHeader.SIZE) return null;
        return WalHeader.parse(b);
    }

    /**
     * Scans frames from {@code startOffset} (a frame boundary) as long as SQLite would accept them:
     * they carry the header's salts, a non-zero page number, and their checksums chain from
     * {@code startChecksum}. Stops at the first frame that fails, or at the end of the file (a partial
     * last frame is ignored). Only frames up to the last commit frame count.
     */
    public static Committed scanCommitted(FileChannel wal, WalHeader header, long startOffset, WalChecksum startChecksum)
            throws IOException {
        int frameSize = header.frameSize();
        if (startOffset < WalHeader.SIZE || (startOffset - WalHeader.SIZE) % frameSize != 0) {
            throw new IllegalArgumentException("offset " + startOffset + " is not a frame boundary");
        }
        // Start small and double: a monitor polls often and usually finds a few frames, and a WAL that
        // restarted keeps its old, longer file, whose stale frames past the live ones are not worth reading.
        long available = Math.max(0, wal.size() - startOffset);
        int maxFrames = (int) Math.max(1, Math.min(MAX_BATCH_BYTES / frameSize, available / frameSize));
        int framesPerBatch = Math.min(maxFrames, FIRST_BATCH_FRAMES);
        byte[] buf = new byte[framesPerBatch * frameSize];
        boolean be = header.bigEndianChecksum();

        long offset = startOffset;
        WalChecksum running = startChecksum;
        Committed last = new Committed(startOffset, startChecksum, 0, 0, 0);
        long frames = 0;
        while (true) {
            int n = readFully(wal, buf, offset);
            int whole = n / frameSize;
            for (int i = 0; i < whole; i++) {
                int off = i * frameSize;
                WalFrameHeader fh = WalFrameHeader.parse(buf, off);
                if (!header.saltsMatch(fh) || fh.pageNumber() == 0) return withScanned(last, frames);
                WalChecksum expected = WalFrameHeader.expectedChecksum(running, buf, off, header.pageSize(), be);
                if (!expected.equals(fh.checksum())) return withScanned(last, frames);
                running = expected;
                frames++;
                offset += frameSize;
                if (fh.isCommit()) {
                    last = new Committed(offset, running, fh.commitSize(), frames, frames);
                }
            }
            if (whole < framesPerBatch) return withScanned(last, frames);
            if (framesPerBatch < maxFrames) {
                framesPerBatch = Math.min(maxFrames, framesPerBatch * 2);
                buf = new byte[framesPerBatch * frameSize];
            }
        }
    }

    private static Committed withScanned(Committed c, long scanned) {
        return new Committed(c.endOffset(), c.checksum(), c.commitSize(), c.frames(), scanned);
    }

    /**
     * The running checksum at {@code offset}: the header's for the first frame, otherwise the one stored
     * in the frame just before (which was verified when it was scanned).
     */
    public static WalChecksum checksumAt(FileChannel wal, WalHeader header, long offset) throws IOException {
        if (offset == WalHeader.SIZE) return header.checksum();
        long prev = offset - header.frameSize();
        if (prev < WalHeader.SIZE || (prev - WalHeader.SIZE) % header.frameSize() != 0) {
            throw new IllegalArgumentException("offset " + offset + " is not a frame boundary");
        }
        byte[] b = new byte[WalFrameHeader.SIZE];
        if (readFully(wal, b, prev) < WalFrameHeader.SIZE) {
            throw new WalFormatException("WAL is shorter than offset " + offset);
        }
        return WalFrameHeader.parse(b, 0).checksum();
    }

    /** Positional read that fills {@code b} unless end of file comes first; returns bytes read. */
    public static int readFully(FileChannel ch, byte[] b, long position) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b);
        while (bb.hasRemaining()) {
            int n = ch.read(bb, position + bb.position());
            if (n < 0) break;
        }
        return bb.position();
    }
}
