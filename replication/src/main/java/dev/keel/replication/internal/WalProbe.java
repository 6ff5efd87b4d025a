package dev.keel.replication.internal;

import dev.keel.format.WalFrameHeader;
import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * The cheap check an idle database costs each tick: two small reads of the WAL through the channel
 * already open, compared with what they returned after the last full round. The WAL header changes
 * when the WAL restarts; the frame header just past the last frame the scan accepted changes when
 * anything is appended (a commit, or more frames of a transaction still being written). Equal bytes
 * mean a full round would copy nothing, so an idle database costs no scan, no listing, no request.
 */
final class WalProbe {
    private static final int SIZE = WalHeader.SIZE + WalFrameHeader.SIZE;
    private final byte[] seen = new byte[SIZE];
    private final byte[] now = new byte[SIZE];
    private long at = -1;

    /**
     * Remembers the WAL as a full round left it; {@code next} is the offset of the first frame the scan
     * did not accept, {@code header} the WAL header the shadow continues. The bytes are read after the
     * scan, so a writer may have appended in between: when the header is not the shadow's, or a frame of
     * this WAL (its salts) already sits at {@code next}, nothing is remembered and the next tick runs a
     * full round, which sees it.
     */
    void capture(FileChannel wal, long next, byte[] header) throws IOException {
        read(wal, next, seen);
        boolean sameHeader = Arrays.equals(seen, 0, WalHeader.SIZE, header, 0, WalHeader.SIZE);
        // WAL header bytes 16..23 hold the salts; a frame header repeats them at bytes 8..15
        boolean frameOfThisWal = Arrays.equals(seen, WalHeader.SIZE + 8, WalHeader.SIZE + 16, header, 16, 24);
        at = sameHeader && !frameOfThisWal ? next : -1;
    }

    /** Forgets what was captured: the next check reports a change. */
    void reset() {
        at = -1;
    }

    /** True when the WAL reads as it did at the last capture. */
    boolean unchanged(FileChannel wal) throws IOException {
        if (at < 0) return false;
        read(wal, at, now);
        return Arrays.equals(seen, now);
    }

    private static void read(FileChannel wal, long next, byte[] into) throws IOException {
        Arrays.fill(into, (byte) 0);
        byte[] header = new byte[WalHeader.SIZE];
        int n = WalScanner.readFully(wal, header, 0);
        System.arraycopy(header, 0, into, 0, n);
        byte[] frame = new byte[WalFrameHeader.SIZE];
        int m = WalScanner.readFully(wal, frame, next);
        System.arraycopy(frame, 0, into, WalHeader.SIZE, m);
    }
}
