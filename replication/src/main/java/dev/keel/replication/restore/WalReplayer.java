package dev.keel.replication.restore;

import dev.keel.format.WalChecksum;
import dev.keel.format.WalFormatException;
import dev.keel.format.WalFrameReader;
import dev.keel.format.WalHeader;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.WalSegmentInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Replays decompressed WAL segments, in order, into a {@link DatabaseImage}. Every frame is verified
 * (salts and the checksum chain, which continues across the segments of one index); each segment must
 * start where the previous one ended, and each index's header must follow the previous index's as a
 * WAL restart makes it ({@link WalContinuity}). Frames count only once their transaction's commit frame is
 * read; at the end of each WAL index the database takes the size of that index's last commit, as
 * SQLite's checkpoint would leave it.
 */
public final class WalReplayer {
    /** Pages of one index kept in memory before they are written, when replaying into a file in place. */
    private static final long IN_PLACE_BUDGET = 16L << 20;

    private final PageSink image;
    private final int pageSize;

    /** The frames of the transaction being read, until its commit frame; a follower's may spool to a file. */
    private final PageSpool uncommitted;
    private long index = -1;
    private WalHeader header;
    private WalChecksum running;
    private long nextOffset;
    private long indexCommitSize;
    private long frames;
    private long commits;

    WalReplayer(PageSink image, int pageSize) {
        this(image, pageSize, new PageSpool(pageSize, Long.MAX_VALUE, null));
    }

    /** A replayer that holds an unfinished transaction in {@code uncommitted} (cleared once it commits). */
    WalReplayer(PageSink image, int pageSize, PageSpool uncommitted) {
        this.image = image;
        this.pageSize = pageSize;
        this.uncommitted = uncommitted;
    }

    /**
     * Applies one whole WAL index ({@code wal}: from its 32-byte header on, decompressed) to the
     * database file {@code db} in place, as a checkpoint would: every frame verified, the pages of
     * committed transactions written, the file cut to the size of the last commit. The replication
     * engine's validation builds the live database's image with it, so validation and restore apply
     * WAL the same way.
     */
    public static void replayIndex(Path db, InputStream wal, long index, int pageSize) throws IOException {
        try (FileChannel channel = FileChannel.open(db, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            DatabaseImage image = new DatabaseImage(OutputFile.of(channel, db), pageSize, IN_PLACE_BUDGET, () -> { });
            WalReplayer replayer = new WalReplayer(image, pageSize);
            // Only the segment's index and offset matter to replay; it has no generation or time here.
            replayer.apply(new WalSegmentInfo(new Generation("0000000000000000"), index, 0, 0, Instant.EPOCH), wal, -1);
            replayer.finish();
            image.flush();
        } catch (OutputFile.LocalWriteFailure e) {
            throw (IOException) e.getCause();
        }
    }

    /**
     * Replays one segment. {@code stopOffset} (-1 for none) is a byte offset within the segment's index
     * where replay ends; it must fall on a commit boundary.
     *
     * @return true when replay reached {@code stopOffset} (the plan's end)
     */
    boolean apply(WalSegmentInfo segment, InputStream in, long stopOffset) throws IOException {
        WalFrameReader reader;
        if (segment.offset() == 0) {
            endIndex();
            reader = WalFrameReader.fromStart(in);
            WalHeader previous = index >= 0 && segment.index() == index + 1 ? header : null;
            header = reader.header();
            if (header.pageSize() != pageSize) {
                throw new WalFormatException("WAL page size " + header.pageSize() + " differs from the snapshot's " + pageSize);
            }
            if (previous != null) WalContinuity.check(previous, header, segment.index());
            index = segment.index();
            nextOffset = WalHeader.SIZE;
        } else {
            if (segment.index() != index || segment.offset() != nextOffset) {
                throw new WalFormatException("segment starts at offset " + ReplicaLayout.hex(segment.offset())
                        + " but the previous segment of index " + ReplicaLayout.hex(segment.index()) + " ended at "
                        + ReplicaLayout.hex(nextOffset) + " (the replica has a gap)");
            }
            reader = WalFrameReader.continuing(in, header, running);
        }
        int frameSize = header.frameSize();
        while (true) {
            if (stopOffset >= 0 && nextOffset >= stopOffset) {
                if (nextOffset != stopOffset || !uncommitted.isEmpty()) {
                    throw new WalFormatException("target offset " + ReplicaLayout.hex(stopOffset) + " is not at a commit boundary");
                }
                running = reader.checksum();
                return true;
            }
            WalFrameReader.Frame frame = reader.next();
            if (frame == null) break;
            frames++;
            nextOffset += frameSize;
            uncommitted.put(frame.pageNumber(), frame.page());
            if (frame.isCommit()) {
                for (long p : uncommitted.pageNumbers()) image.put(p, uncommitted.get(p));
                uncommitted.clear();
                indexCommitSize = frame.header().commitSize();
                image.committed(indexCommitSize);
                commits++;
            }
        }
        running = reader.checksum();
        return false;
    }

    /** Applies the last index's size; frames after the last commit frame are dropped. */
    void finish() {
        uncommitted.clear();
        endIndex();
    }

    /** Forgets the unfinished transaction (and its spool file): the replay stops here for good. */
    void discard() {
        uncommitted.clear();
    }

    private void endIndex() {
        uncommitted.clear();
        if (indexCommitSize > 0) image.setPageCount(indexCommitSize);
        indexCommitSize = 0;
    }

    long frames() {
        return frames;
    }

    long commits() {
        return commits;
    }

    /** Byte offset just past the last frame read, in the current index. */
    long offset() {
        return nextOffset;
    }

    long index() {
        return index;
    }
}
