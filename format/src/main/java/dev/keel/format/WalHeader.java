package dev.keel.format;

/**
 * The 32-byte header at the start of a WAL file. All fields are stored big-endian; the magic's low
 * bit says in which byte order the checksums read the data.
 */
public record WalHeader(int magic, int formatVersion, int pageSize, long checkpointSequence,
                        int salt1, int salt2, WalChecksum checksum) {
    public static final int SIZE = 32;
    public static final int MAGIC_LE = 0x377f0682;
    public static final int MAGIC_BE = 0x377f0683;
    public static final int FORMAT_VERSION = 3007000;

    public WalHeader {
        if (magic != MAGIC_LE && magic != MAGIC_BE) {
            throw new WalFormatException(String.format("not a WAL header: bad magic 0x%08x", magic));
        }
        if (!PageSizes.isValid(pageSize)) {
            throw new WalFormatException("WAL header has an invalid page size: " + pageSize);
        }
    }

    /**
     * Parses and verifies a header; throws when the magic, page size, checksum or format version is
     * wrong (SQLite refuses to open a WAL whose format version is not {@link #FORMAT_VERSION}).
     */
    public static WalHeader parse(byte[] b) {
        return parse(b, 0);
    }

    /** Parses and verifies the header that starts at {@code off}. */
    public static WalHeader parse(byte[] b, int off) {
        if (b.length - off < SIZE) throw new WalFormatException("WAL header is truncated: " + (b.length - off) + " bytes");
        int magic = Bytes.intBE(b, off);
        WalHeader h = new WalHeader(magic, Bytes.intBE(b, off + 4), Bytes.intBE(b, off + 8),
                Bytes.uintBE(b, off + 12), Bytes.intBE(b, off + 16), Bytes.intBE(b, off + 20),
                new WalChecksum(Bytes.intBE(b, off + 24), Bytes.intBE(b, off + 28)));
        WalChecksum expected = WalChecksum.ZERO.update(b, off, 24, h.bigEndianChecksum());
        if (!expected.equals(h.checksum)) {
            throw new WalFormatException("WAL header checksum mismatch (stored " + h.checksum + ", computed " + expected + ")");
        }
        if (h.formatVersion != FORMAT_VERSION) {
            throw new WalFormatException("unsupported WAL format version " + h.formatVersion + " (SQLite writes " + FORMAT_VERSION + ")");
        }
        return h;
    }

    /** Creates a header with a correct checksum, as SQLite would write it. */
    public static WalHeader create(boolean bigEndianChecksum, int pageSize, long checkpointSequence, int salt1, int salt2) {
        int magic = bigEndianChecksum ? MAGIC_BE : MAGIC_LE;
        byte[] b = new byte[SIZE];
        Bytes.putIntBE(b, 0, magic);
        Bytes.putIntBE(b, 4, FORMAT_VERSION);
        Bytes.putIntBE(b, 8, pageSize); // unlike the database header, the WAL header stores 65536 as is
        Bytes.putIntBE(b, 12, (int) checkpointSequence);
        Bytes.putIntBE(b, 16, salt1);
        Bytes.putIntBE(b, 20, salt2);
        WalChecksum c = WalChecksum.ZERO.update(b, 0, 24, bigEndianChecksum);
        return new WalHeader(magic, FORMAT_VERSION, pageSize, checkpointSequence, salt1, salt2, c);
    }

    /** True when the magic is {@link #MAGIC_BE}: checksums read the data as big-endian 32-bit words. */
    public boolean bigEndianChecksum() {
        return (magic & 1) == 1;
    }

    /** Size in bytes of one frame: 24-byte frame header plus one page. */
    public int frameSize() {
        return WalFrameHeader.SIZE + pageSize;
    }

    /** True when a frame header carries this WAL's salts (frames from before a WAL restart do not). */
    public boolean saltsMatch(WalFrameHeader frame) {
        return frame.salt1() == salt1 && frame.salt2() == salt2;
    }

    /** The 32 bytes of this header as stored at the start of a WAL file. */
    public byte[] encode() {
        byte[] b = new byte[SIZE];
        Bytes.putIntBE(b, 0, magic);
        Bytes.putIntBE(b, 4, formatVersion);
        Bytes.putIntBE(b, 8, pageSize);
        Bytes.putIntBE(b, 12, (int) checkpointSequence);
        Bytes.putIntBE(b, 16, salt1);
        Bytes.putIntBE(b, 20, salt2);
        Bytes.putIntBE(b, 24, checksum.s0());
        Bytes.putIntBE(b, 28, checksum.s1());
        return b;
    }

    @Override
    public String toString() {
        return String.format("WalHeader[%s-endian checksums, page size %d, checkpoint seq %d, salts %08x/%08x]",
                bigEndianChecksum() ? "big" : "little", pageSize, checkpointSequence, salt1, salt2);
    }
}
