package dev.keel.format;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads WAL frames from a stream (e.g. decompressed WAL segments) and verifies every frame the way
 * SQLite does: salts equal the header's, the page number is not 0, and the checksum chains. Any
 * mismatch or a partial frame is an error, because segments are written only up to commit frames.
 */
public final class WalFrameReader {
    private final InputStream in;
    private final WalHeader header;
    private final long startOffset;
    private WalChecksum running;
    private final byte[] frame;
    private long framesRead;
    private boolean atCommitBoundary = true;

    /** One verified frame: its header and its page. */
    public record Frame(WalFrameHeader header, byte[] page) {
        public long pageNumber() {
            return header.pageNumber();
        }

        public boolean isCommit() {
            return header.isCommit();
        }
    }

    private WalFrameReader(InputStream in, WalHeader header, WalChecksum running, long startOffset) {
        this.in = in;
        this.header = header;
        this.running = running;
        this.startOffset = startOffset;
        this.frame = new byte[header.frameSize()];
    }

    /** A reader for a stream that starts with the 32-byte WAL header. */
    public static WalFrameReader fromStart(InputStream in) throws IOException {
        byte[] h = new byte[WalHeader.SIZE];
        int n = in.readNBytes(h, 0, h.length);
        if (n < h.length) throw new WalFormatException("WAL is shorter than its header (" + n + " of " + h.length + " bytes)");
        WalHeader header = WalHeader.parse(h);
        return new WalFrameReader(in, header, header.checksum(), WalHeader.SIZE);
    }

    /** A reader for a stream of frames that continue a WAL whose header and running checksum are known. */
    public static WalFrameReader continuing(InputStream in, WalHeader header, WalChecksum running) {
        return new WalFrameReader(in, header, running, -1);
    }

    /**
     * Like {@link #continuing(InputStream, WalHeader, WalChecksum)}, for a stream that starts at byte
     * {@code walOffset} of the WAL; error messages then name WAL offsets.
     */
    public static WalFrameReader continuing(InputStream in, WalHeader header, WalChecksum running, long walOffset) {
        if (walOffset < WalHeader.SIZE || (walOffset - WalHeader.SIZE) % header.frameSize() != 0) {
            throw new IllegalArgumentException("offset " + walOffset + " is not a frame boundary");
        }
        return new WalFrameReader(in, header, running, walOffset);
    }

    public WalHeader header() {
        return header;
    }

    /** The running checksum after the last frame read. */
    public WalChecksum checksum() {
        return running;
    }

    /** How many frames this reader has returned. */
    public long framesRead() {
        return framesRead;
    }

    /**
     * True before the first frame and right after a commit frame: a stream that ends when this is
     * false ends inside a transaction, which a WAL segment never does.
     */
    public boolean atCommitBoundary() {
        return atCommitBoundary;
    }

    /** The next verified frame, or null at a clean end of stream. */
    public Frame next() throws IOException {
        int n = in.readNBytes(frame, 0, frame.length);
        if (n == 0) return null;
        if (n < frame.length) {
            throw new WalFormatException("WAL ends in a partial " + where() + " (" + n + " of " + frame.length + " bytes)");
        }
        WalFrameHeader fh = WalFrameHeader.parse(frame, 0);
        if (!header.saltsMatch(fh)) {
            throw new WalFormatException(String.format("WAL %s has salts %08x/%08x, the header has %08x/%08x",
                    where(), fh.salt1(), fh.salt2(), header.salt1(), header.salt2()));
        }
        if (fh.pageNumber() == 0) {
            throw new WalFormatException("WAL " + where() + " has page number 0");
        }
        WalChecksum expected = WalFrameHeader.expectedChecksum(running, frame, 0, header.pageSize(), header.bigEndianChecksum());
        if (!expected.equals(fh.checksum())) {
            throw new WalFormatException("WAL " + where() + " (page " + fh.pageNumber()
                    + ") fails its checksum: stored " + fh.checksum() + ", computed " + expected);
        }
        running = expected;
        framesRead++;
        atCommitBoundary = fh.isCommit();
        byte[] page = new byte[header.pageSize()];
        System.arraycopy(frame, WalFrameHeader.SIZE, page, 0, page.length);
        return new Frame(fh, page);
    }

    /** Names the frame about to be read: its 0-based index in this stream and, when known, its WAL offset. */
    private String where() {
        String frameName = "frame " + framesRead;
        if (startOffset < 0) return frameName + " of the stream";
        return frameName + " at WAL offset " + (startOffset + framesRead * header.frameSize());
    }
}
