package dev.keel.format;

import static dev.keel.format.RealSqlite.commitEnds;
import static dev.keel.format.RealSqlite.contentDigest;
import static dev.keel.format.RealSqlite.digestWithWal;
import static dev.keel.format.RealSqlite.exec;
import static dev.keel.format.RealSqlite.framesUntilInvalid;
import static dev.keel.format.RealSqlite.queryLong;
import static dev.keel.format.RealSqlite.walBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** WalScanner and WalFrameReader against WAL files written by real SQLite, checked against what SQLite itself sees. */
class WalScannerRealSqliteTest {
    @TempDir
    Path dir;

    private Path db;
    private Path snapshot;
    private Connection conn;
    private int copies;

    /**
     * A database whose WAL is empty, a copy of its file taken while no connection was open (so a
     * copied WAL can later be replayed on it by SQLite), and an open connection with automatic
     * checkpoints off.
     */
    private void start(int pageSize) throws Exception {
        db = dir.resolve("live.db");
        snapshot = dir.resolve("snapshot.db");
        RealSqlite.createClosedWalDatabase(db, pageSize);
        Files.copy(db, snapshot);
        conn = RealSqlite.open(db);
        exec(conn, "PRAGMA wal_autocheckpoint=0", "PRAGMA synchronous=OFF");
    }

    @AfterEach
    void close() throws SQLException {
        if (conn != null) conn.close();
    }

    private WalScanner.Committed scan(byte[] wal) throws IOException {
        return RealSqlite.scan(dir.resolve("scan-" + (copies++) + ".wal"), wal);
    }

    private List<Long> sqliteSees(byte[] wal) throws Exception {
        return digestWithWal(snapshot, wal, dir.resolve("replay-" + (copies++)));
    }

    /** Inserts rows one transaction each and returns the content digest after each of them. */
    private List<List<Long>> insertRecording(int count, int maxLen) throws SQLException {
        List<List<Long>> digests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RealSqlite.insertBlob(conn, 1 + (i * 37) % maxLen);
            digests.add(contentDigest(conn));
        }
        return digests;
    }

    private static long frameStart(int index, int pageSize) {
        return WalHeader.SIZE + (long) index * (WalFrameHeader.SIZE + pageSize);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 2048, 4096, 8192, 16384, 32768, 65536})
    void countsEveryCommitAndFrameAtEveryPageSize(int pageSize) throws Exception {
        start(pageSize);
        int commits = 60;
        // rows up to three pages long, so some transactions write overflow pages: several frames each
        RealSqlite.insertRows(conn, commits, 3 * pageSize);
        byte[] wal = walBytes(db);
        List<Long> digest = contentDigest(conn);

        WalHeader header = WalHeader.parse(wal);
        assertThat(header.pageSize()).isEqualTo(pageSize);
        assertThat(header.formatVersion()).isEqualTo(WalHeader.FORMAT_VERSION);
        int frameSize = pageSize + WalFrameHeader.SIZE;
        assertThat((wal.length - WalHeader.SIZE) % frameSize).isZero();
        long framesInFile = (wal.length - WalHeader.SIZE) / frameSize;

        List<WalFrameReader.Frame> frames = framesUntilInvalid(wal);
        assertThat(frames).hasSize((int) framesInFile);
        assertThat(frames.stream().filter(WalFrameReader.Frame::isCommit).count()).isEqualTo(commits);
        assertThat(frames.size()).isGreaterThan(commits); // some transactions spanned frames
        assertThat(frames.get(frames.size() - 1).isCommit()).isTrue();

        WalScanner.Committed scan = scan(wal);
        assertThat(scan.found()).isTrue();
        assertThat(scan.endOffset()).isEqualTo(wal.length);
        assertThat(scan.frames()).isEqualTo(framesInFile);
        assertThat(scan.framesScanned()).isEqualTo(framesInFile);
        assertThat(scan.commitSize()).isEqualTo(queryLong(conn, "PRAGMA page_count"));
        assertThat(scan.checksum()).isEqualTo(frames.get(frames.size() - 1).header().checksum());
        assertThat(RealSqlite.committedFramesPerSqlite(conn)).isEqualTo(scan.frames());
        assertThat(sqliteSees(wal)).isEqualTo(digest);
    }

    @Test
    void oneTransactionSpanningManyFramesHasOneCommitFrameAtItsEnd() throws Exception {
        start(1024);
        conn.setAutoCommit(false);
        RealSqlite.insertRows(conn, 600, 300);
        conn.commit();
        conn.setAutoCommit(true);
        byte[] wal = walBytes(db);

        List<WalFrameReader.Frame> frames = framesUntilInvalid(wal);
        assertThat(frames.size()).isGreaterThan(100);
        for (int i = 0; i < frames.size() - 1; i++) assertThat(frames.get(i).header().commitSize()).as("frame %d", i).isZero();
        assertThat(frames.get(frames.size() - 1).header().commitSize()).isEqualTo(queryLong(conn, "PRAGMA page_count"));

        WalScanner.Committed scan = scan(wal);
        assertThat(scan.frames()).isEqualTo(frames.size());
        assertThat(scan.endOffset()).isEqualTo(wal.length);
        assertThat(sqliteSees(wal)).isEqualTo(contentDigest(conn));
    }

    @Test
    void restartCheckpointStartsOverWithNewSaltsAndOldFramesNoLongerCount() throws Exception {
        start(4096);
        RealSqlite.insertRows(conn, 50, 3000);
        byte[] before = walBytes(db);
        WalHeader h1 = WalHeader.parse(before);
        long framesBefore = scan(before).frames();

        List<Long> busyLogCheckpointed = RealSqlite.queryRow(conn, "PRAGMA wal_checkpoint(RESTART)");
        assertThat(busyLogCheckpointed.get(0)).as("checkpoint busy").isZero();
        RealSqlite.insertRows(conn, 3, 100);
        byte[] after = walBytes(db);
        WalHeader h2 = WalHeader.parse(after);

        assertThat(h2.checkpointSequence()).isEqualTo(h1.checkpointSequence() + 1);
        assertThat(h2.salt1()).isEqualTo(h1.salt1() + 1);
        assertThat(h2.salt2()).isNotEqualTo(h1.salt2());
        // SQLite rewrites the WAL from the start without truncating it: the old frames are still there
        assertThat(after.length).isEqualTo(before.length);

        WalScanner.Committed scan = scan(after);
        assertThat(scan.frames()).isBetween(3L, 10L).isLessThan(framesBefore);
        assertThat(scan.endOffset()).isEqualTo(frameStart((int) scan.frames(), 4096));
        assertThat(scan.framesScanned()).isEqualTo(scan.frames());
        WalFrameHeader firstOld = WalFrameHeader.parse(after, (int) scan.endOffset());
        assertThat(firstOld.salt1()).isEqualTo(h1.salt1());
        assertThat(h2.saltsMatch(firstOld)).isFalse();
        assertThat(RealSqlite.committedFramesPerSqlite(conn)).isEqualTo(scan.frames());

        // a segment reader must refuse the old frames: they are not part of this WAL
        WalFrameReader reader = WalFrameReader.fromStart(new ByteArrayInputStream(after));
        for (int i = 0; i < scan.frames(); i++) assertThat(reader.next()).isNotNull();
        assertThatThrownBy(reader::next).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("frame " + scan.frames() + " at WAL offset " + scan.endOffset())
                .hasMessageContaining("salts");
    }

    @Test
    void tornLastTransactionIsIgnoredWhereverTheCutFalls() throws Exception {
        int pageSize = 1024;
        start(pageSize);
        List<List<Long>> digests = insertRecording(19, 800);
        RealSqlite.insertBlob(conn, 5 * pageSize); // the last transaction spans several frames
        byte[] wal = walBytes(db);
        List<Long> ends = commitEnds(framesUntilInvalid(wal), pageSize);
        assertThat(ends).hasSize(20);
        long previousCommitEnd = ends.get(18);
        int frameSize = pageSize + WalFrameHeader.SIZE;
        assertThat(wal.length - previousCommitEnd).isGreaterThan(2L * frameSize);

        int[] cuts = {wal.length - frameSize / 2, wal.length - frameSize + 10, wal.length - frameSize, wal.length - 1,
                (int) previousCommitEnd + 3};
        for (int cut : cuts) {
            byte[] torn = Arrays.copyOf(wal, cut);
            WalScanner.Committed scan = scan(torn);
            assertThat(scan.endOffset()).as("cut at %d", cut).isEqualTo(previousCommitEnd);
            assertThat(scan.framesScanned()).as("cut at %d", cut)
                    .isEqualTo((cut - WalHeader.SIZE) / frameSize);
            assertThat(sqliteSees(torn)).as("cut at %d", cut).isEqualTo(digests.get(18));
            if ((cut - WalHeader.SIZE) % frameSize != 0) {
                assertThatThrownBy(() -> readAll(torn)).isInstanceOf(WalFormatException.class).hasMessageContaining("partial frame");
            } else {
                WalFrameReader r = WalFrameReader.fromStart(new ByteArrayInputStream(torn));
                while (r.next() != null) {
                    // read to the end
                }
                assertThat(r.atCommitBoundary()).as("stream ends inside a transaction").isFalse();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 5, 9, 14, 17, 22, WalFrameHeader.SIZE, WalFrameHeader.SIZE + 777, WalFrameHeader.SIZE + 1023})
    void flippedByteStopsTheScanBeforeItsFrame(int positionInFrame) throws Exception {
        int pageSize = 1024;
        start(pageSize);
        List<Long> initial = contentDigest(conn);
        List<List<Long>> digests = insertRecording(30, 2500);
        byte[] wal = walBytes(db);
        List<WalFrameReader.Frame> frames = framesUntilInvalid(wal);
        int k = frames.size() / 2;
        long start = frameStart(k, pageSize);
        byte[] flipped = wal.clone();
        flipped[(int) start + positionInFrame] ^= 0x40;

        List<Long> ends = commitEnds(frames, pageSize);
        long commitsBefore = ends.stream().filter(e -> e <= start).count();
        long expectedEnd = commitsBefore == 0 ? WalHeader.SIZE : ends.get((int) commitsBefore - 1);

        WalScanner.Committed scan = scan(flipped);
        assertThat(scan.framesScanned()).isEqualTo(k);
        assertThat(scan.endOffset()).isEqualTo(expectedEnd).isLessThanOrEqualTo(start);
        assertThatThrownBy(() -> readAll(flipped)).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("frame " + k + " at WAL offset " + start);
        assertThat(sqliteSees(flipped)).isEqualTo(commitsBefore == 0 ? initial : digests.get((int) commitsBefore - 1));
    }

    @Test
    void flippedHeaderByteIsRejected() throws Exception {
        start(4096);
        RealSqlite.insertRows(conn, 3, 100);
        byte[] wal = walBytes(db);
        for (int i = 0; i < WalHeader.SIZE; i++) {
            byte[] bad = wal.clone();
            bad[i] ^= 0x01;
            assertThatThrownBy(() -> WalHeader.parse(bad)).as("byte %d", i).isInstanceOf(WalFormatException.class);
        }
    }

    @Test
    void framesOfATransactionInProgressDoNotCount() throws Exception {
        start(1024);
        List<List<Long>> digests = insertRecording(10, 800);
        long committedEnd = scan(walBytes(db)).endOffset();

        // a small page cache makes SQLite spill pages of the open transaction into the WAL
        exec(conn, "PRAGMA cache_size=10");
        conn.setAutoCommit(false);
        RealSqlite.insertRows(conn, 400, 500);
        byte[] wal = walBytes(db);
        conn.rollback();
        conn.setAutoCommit(true);

        WalScanner.Committed scan = scan(wal);
        assertThat((long) wal.length).isGreaterThan(committedEnd);
        assertThat(scan.endOffset()).isEqualTo(committedEnd);
        assertThat(scan.framesScanned()).as("valid but uncommitted frames").isGreaterThan(scan.frames());
        assertThat(sqliteSees(wal)).isEqualTo(digests.get(9));
    }

    @Test
    void framesAppendedWithoutACommitFrameDoNotCount() throws Exception {
        int pageSize = 1024;
        start(pageSize);
        List<List<Long>> digests = insertRecording(10, 800);
        byte[] ten = walBytes(db);
        RealSqlite.insertBlob(conn, 3 * pageSize);
        byte[] eleven = walBytes(db);
        WalScanner.Committed tenScan = scan(ten);
        assertThat(Arrays.equals(eleven, 0, ten.length, ten, 0, ten.length)).isTrue();

        // the eleventh transaction's frames, re-signed with its commit frame turned into an ordinary frame
        WalHeader header = WalHeader.parse(eleven);
        byte[] uncommitted = eleven.clone();
        WalChecksum running = tenScan.checksum();
        int frameSize = header.frameSize();
        for (int off = ten.length; off < eleven.length; off += frameSize) {
            WalFrameHeader fh = WalFrameHeader.parse(eleven, off);
            running = WalFrameHeader.write(uncommitted, off, fh.pageNumber(), 0, header, running);
        }

        WalScanner.Committed scan = scan(uncommitted);
        assertThat(scan.endOffset()).isEqualTo(ten.length);
        assertThat(scan.frames()).isEqualTo(tenScan.frames());
        assertThat(scan.framesScanned()).isEqualTo((eleven.length - WalHeader.SIZE) / frameSize);
        assertThat(sqliteSees(uncommitted)).isEqualTo(digests.get(9));
        // control: the real eleventh commit is seen by both
        assertThat(scan(eleven).endOffset()).isEqualTo(eleven.length);
        assertThat(sqliteSees(eleven)).isEqualTo(contentDigest(conn));
    }

    @Test
    void scanCanResumeFromAnEarlierResult() throws Exception {
        start(2048);
        RealSqlite.insertRows(conn, 5, 4000);
        Path file = dir.resolve("growing.wal");
        byte[] first = walBytes(db);
        WalScanner.Committed c1 = RealSqlite.scan(file, first);
        RealSqlite.insertRows(conn, 7, 4000);
        byte[] second = walBytes(db);
        Files.write(file, second);
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            WalHeader h = WalScanner.readHeader(ch);
            assertThat(WalScanner.checksumAt(ch, h, c1.endOffset())).isEqualTo(c1.checksum());
            WalScanner.Committed c2 = WalScanner.scanCommitted(ch, h, c1.endOffset(), c1.checksum());
            assertThat(c2.endOffset()).isEqualTo(second.length);
            assertThat(c1.frames() + c2.frames()).isEqualTo((second.length - WalHeader.SIZE) / h.frameSize());
            // the segment between the two scans reads back on its own, chained from the first scan's checksum
            WalFrameReader r = WalFrameReader.continuing(
                    new ByteArrayInputStream(second, (int) c1.endOffset(), (int) (c2.endOffset() - c1.endOffset())),
                    h, c1.checksum(), c1.endOffset());
            int n = 0;
            while (r.next() != null) n++;
            assertThat(n).isEqualTo(c2.frames());
            assertThat(r.checksum()).isEqualTo(c2.checksum());
            WalScanner.Committed none = WalScanner.scanCommitted(ch, h, c2.endOffset(), c2.checksum());
            assertThat(none.found()).isFalse();
            assertThat(none.endOffset()).isEqualTo(c2.endOffset());
            assertThatThrownBy(() -> WalScanner.scanCommitted(ch, h, c1.endOffset() + 1, c1.checksum()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static int readAll(byte[] wal) throws IOException {
        WalFrameReader r = WalFrameReader.fromStart(new ByteArrayInputStream(wal));
        int n = 0;
        while (r.next() != null) n++;
        return n;
    }
}
