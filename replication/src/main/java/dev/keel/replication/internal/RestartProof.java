package dev.keel.replication.internal;

import dev.keel.format.WalFrameHeader;
import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Whether a WAL restart that Keel did not make still continues the shadow WAL. The monitor first copies
 * what the old WAL holds beyond the shadow (frames the application appended, checkpointed and then
 * restarted over), scanning with the old salts; the restart is continuous when
 * <ul>
 *   <li>salt-1 moved on by exactly one (SQLite adds one at each restart: one restart, not two),</li>
 *   <li>that scan ended where the old WAL ended, not where the file was cut: a whole frame that is not
 *       the old WAL's follows, or the file ends exactly there (a truncation by {@code journal_size_limit}
 *       or a TRUNCATE checkpoint leaves the file shorter than the new WAL's reach or mid-frame), and</li>
 *   <li>the new WAL has not reached the last of those old frames (it does not carry the new salts),
 *       read after the scan (frames are written in order, so nothing the scan read was overwritten),
 *       under the same header (no second restart meanwhile).</li>
 * </ul>
 * One coincidence is not told apart: a {@code journal_size_limit} that cut the file exactly at a frame
 * boundary just after a commit frame of the appended frames.
 */
final class RestartProof {
    private RestartProof() {
    }

    /**
     * Null when the restart is proven continuous, otherwise why not (for the new generation's reason).
     *
     * @param state    the shadow after the copy of the old WAL's remaining frames
     * @param scanStop the offset right after the last frame that copy found valid
     * @param header   the restarted WAL's header as read before the copy
     */
    static String unproven(FileChannel wal, ShadowState state, long scanStop, byte[] header) throws IOException {
        WalHeader now = WalHeader.parse(header);
        WalHeader was = state.header();
        if (now.pageSize() != was.pageSize()) return "the page size changed";
        if (now.salt1() != was.salt1() + 1) {
            return "salt-1 moved on by " + Integer.toUnsignedString(now.salt1() - was.salt1()) + ", not by one restart";
        }
        long frameSize = now.frameSize();
        long size = wal.size();
        if (size != scanStop && size < scanStop + frameSize) {
            return "the WAL file ends at " + size + ", inside the frame after the old WAL's last one at " + scanStop + " (truncated?)";
        }
        // The new WAL has reached the old frames once the last of them carries its salts (frames are written
        // in order, so one being written there means the ones before are done): one header read, no scan,
        // since this runs while Keel holds the write lock.
        long oldFrames = (scanStop - WalHeader.SIZE) / frameSize;
        if (oldFrames < 1) return "the old WAL had no frame the new one could not have overwritten";
        byte[] last = new byte[WalFrameHeader.SIZE];
        long lastOffset = WalHeader.SIZE + (oldFrames - 1) * frameSize;
        if (WalScanner.readFully(wal, last, lastOffset) == last.length && now.saltsMatch(WalFrameHeader.parse(last, 0))) {
            return "the new WAL already reaches the old WAL's last frame at " + lastOffset;
        }
        byte[] again = new byte[WalHeader.SIZE];
        if (WalScanner.readFully(wal, again, 0) != again.length || !Arrays.equals(again, header)) return "the WAL restarted again meanwhile";
        return null;
    }
}
