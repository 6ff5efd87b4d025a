package dev.keel.format;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads WAL frames from a stream (e.g. decompressed WAL segments) and verifies every frame: salts equal
 * the header's and the checksum chains. Any mismatch or a partial frame is an error, because segments
 * are written only up to commit frames.
 */
public final class WalFrameReader {
    private final InputStream in;
    private final WalHeader header;
    private WalChecksum running;
    private final byte[] frame;
    private long framesRead;

    /** One verified frame: its header and its page. */
    public record Frame(WalFrameHeader header, byte[] page) {
        public long pageNumber() {
            return header.pageNumber();
        }

        public boolean isCommit() {
            return header.isCommit();
        }
    }

    private WalFrameReader(InputStream in, WalHeader header, WalChecksum running) {
        this.in = in;
        this.header = header;
        this.running = running;
        this.frame = new byte[header.frameSize()];
    }

    /** A reader for a stream that starts with the 32-byte WAL header. */
    public static WalFrameReader fromStart(InputStream in) throws IOException {
        byte[] h = new byte[WalHeader.SIZE];
        if (in.readNBytes(h, 0, h.length) < h.length) throw new WalFormatException("WAL is shorter than its header");
        WalHeader header = WalHeader.parse(h);
        return new WalFrameReader(in, header, header.checksum());
    }

    /** A reader for a stream of frames that continue a WAL whose header and running checksum are known. */
    public static WalFrameReader continuing(InputStream in, WalHeader header, WalChecksum running) {
        return new WalFrameReader(in, header, running);
    }

    public WalHeader header() {
        return header;
    }

    /** The running checksum after the last frame read. */
    public WalChecksum checksum() {
        return running;
    }

    public long framesRead() {
        return framesRead;
    }

    /** The next verified frame, or null at a clean end of stream. */
    public Frame next() throws IOException {
        int n = in.readNBytes(frame, 0, frame.length);
        if (n == 0) return null;
        if (n < frame.length) {
            throw new WalFormatException("WAL ends in a partial frame (" + n + " of " + frame.length
                    + " bytes after frame " + framesRead + ")");
        }
        WalFrameHeader fh = WalFrameHeader.parse(frame, 0);
        if (!header.saltsMatch(fh)) {
            throw new WalFormatException("WAL frame " + framesRead + " has salts that do not match the header");
        }
        WalChecksum expected = WalFrameHeader.expectedChecksum(running, frame, 0, header.pageSize(), header.bigEndianChecksum());
        if (!expected.equals(fh.checksum())) {
            throw new WalFormatException("WAL frame " + framesRead + " (page " + fh.pageNumber()
                    + ") fails its checksum: stored " + fh.checksum() + ", computed " + expected);
        }
        running = expected;
        framesRead++;
        byte[] page = new byte[header.pageSize()];
        System.arraycopy(frame, WalFrameHeader.SIZE, page, 0, page.length);
        return new Frame(fh, page);
    }

    /** Reads exactly {@code len} bytes or throws; a helper for fixed-size structures. */
    static void readExactly(InputStream in, byte[] b) throws IOException {
        if (in.readNBytes(b, 0, b.length) < b.length) throw new EOFException();
    }
}
