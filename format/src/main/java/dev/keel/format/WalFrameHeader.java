package dev.keel.format;

/**
 * The 24-byte header in front of each page in a WAL. {@code commitSize} is the database size in
 * pages after this frame for a commit frame, and 0 for any other frame.
 */
public record WalFrameHeader(long pageNumber, long commitSize, int salt1, int salt2, WalChecksum checksum) {
    public static final int SIZE = 24;

    /** Reads the header fields at {@code off}; does not verify anything. */
    public static WalFrameHeader parse(byte[] b, int off) {
        return new WalFrameHeader(Bytes.uintBE(b, off), Bytes.uintBE(b, off + 4), Bytes.intBE(b, off + 8),
                Bytes.intBE(b, off + 12), new WalChecksum(Bytes.intBE(b, off + 16), Bytes.intBE(b, off + 20)));
    }

    /** True for the last frame of a transaction. */
    public boolean isCommit() {
        return commitSize != 0;
    }

    /**
     * The running checksum this frame should carry, given the previous one: it covers the first
     * 8 bytes of the frame header and the page.
     */
    public static WalChecksum expectedChecksum(WalChecksum previous, byte[] frame, int off, int pageSize, boolean bigEndian) {
        return previous.update(frame, off, 8, bigEndian).update(frame, off + SIZE, pageSize, bigEndian);
    }

    /**
     * Writes a frame header with the right checksum into {@code frame} (the page must already be in
     * place after the 24 header bytes) and returns the new running checksum.
     */
    public static WalChecksum write(byte[] frame, int off, long pageNumber, long commitSize, WalHeader header,
                                    WalChecksum previous) {
        // SQLite treats page number 0 as an invalid frame, so writing one would silently end the WAL there
        if (pageNumber < 1 || pageNumber > 0xFFFFFFFFL) throw new IllegalArgumentException("invalid page number " + pageNumber);
        if (commitSize < 0 || commitSize > 0xFFFFFFFFL) throw new IllegalArgumentException("invalid commit size " + commitSize);
        Bytes.putIntBE(frame, off, (int) pageNumber);
        Bytes.putIntBE(frame, off + 4, (int) commitSize);
        Bytes.putIntBE(frame, off + 8, header.salt1());
        Bytes.putIntBE(frame, off + 12, header.salt2());
        WalChecksum c = expectedChecksum(previous, frame, off, header.pageSize(), header.bigEndianChecksum());
        Bytes.putIntBE(frame, off + 16, c.s0());
        Bytes.putIntBE(frame, off + 20, c.s1());
        return c;
    }
}
