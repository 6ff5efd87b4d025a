package dev.keel.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the checksum code matches SQLite's in both byte orders: a WAL that SQLite wrote is
 * re-encoded from scratch by {@link WalHeader#create} and {@link WalFrameHeader#write} (new salts,
 * every checksum recomputed) and SQLite itself must then replay it onto a copy of the database.
 */
class WalByteOrderTest {
    private static final int PAGE_SIZE = 4096;

    @TempDir
    Path dir;

    private Path snapshot;
    private byte[] wal;
    private List<Long> digest;

    @BeforeEach
    void sqliteWritesAWal() throws Exception {
        Path db = dir.resolve("live.db");
        snapshot = dir.resolve("snapshot.db");
        RealSqlite.createClosedWalDatabase(db, PAGE_SIZE);
        Files.copy(db, snapshot);
        try (Connection c = RealSqlite.open(db)) {
            RealSqlite.exec(c, "PRAGMA wal_autocheckpoint=0", "PRAGMA synchronous=OFF");
            RealSqlite.insertRows(c, 80, 6000);
            wal = RealSqlite.walBytes(db);
            digest = RealSqlite.contentDigest(c);
        }
        assertThat(Bytes.intBE(wal, 0)).as("SQLite on this machine writes native (little-endian) checksums")
                .isEqualTo(WalHeader.MAGIC_LE);
        assertThat(digest.get(0)).isEqualTo(81);
    }

    /** Re-encodes every frame of {@code source} (up to its last commit) under a new header. */
    static byte[] reencode(byte[] source, boolean bigEndian, int salt1, int salt2) throws IOException {
        WalFrameReader in = WalFrameReader.fromStart(new ByteArrayInputStream(source));
        WalHeader header = WalHeader.create(bigEndian, in.header().pageSize(), in.header().checkpointSequence() + 7, salt1, salt2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header.encode());
        byte[] frame = new byte[header.frameSize()];
        WalChecksum running = header.checksum();
        for (WalFrameReader.Frame f; (f = in.next()) != null; ) {
            System.arraycopy(f.page(), 0, frame, WalFrameHeader.SIZE, f.page().length);
            running = WalFrameHeader.write(frame, 0, f.pageNumber(), f.header().commitSize(), header, running);
            out.write(frame);
        }
        return out.toByteArray();
    }

    @Test
    void sqliteAcceptsAWalReencodedWithBigEndianChecksums() throws Exception {
        byte[] be = reencode(wal, true, 0x01020304, 0xcafebabe);
        assertThat(Bytes.intBE(be, 0)).isEqualTo(0x377f0683);
        WalHeader h = WalHeader.parse(be);
        assertThat(h.bigEndianChecksum()).isTrue();
        assertThat(h.salt1()).isEqualTo(0x01020304);
        // the checksums really differ from the little-endian ones SQLite wrote
        assertThat(WalFrameHeader.parse(be, WalHeader.SIZE).checksum())
                .isNotEqualTo(WalFrameHeader.parse(wal, WalHeader.SIZE).checksum());

        WalScanner.Committed scan = RealSqlite.scan(dir.resolve("be.wal"), be);
        assertThat(scan.endOffset()).isEqualTo(be.length).isEqualTo(wal.length);
        assertThat(RealSqlite.digestWithWal(snapshot, be, dir.resolve("be"))).isEqualTo(digest);
    }

    @Test
    void sqliteAcceptsAWalSynthesizedWithLittleEndianChecksums() throws Exception {
        byte[] le = reencode(wal, false, 0x7fffffff, 0x80000001);
        assertThat(Bytes.intBE(le, 0)).isEqualTo(0x377f0682);
        assertThat(WalHeader.parse(le).bigEndianChecksum()).isFalse();
        assertThat(RealSqlite.scan(dir.resolve("le.wal"), le).endOffset()).isEqualTo(le.length);
        assertThat(RealSqlite.digestWithWal(snapshot, le, dir.resolve("le"))).isEqualTo(digest);
    }

    @Test
    void sqliteIgnoresFramesWhoseChecksumsUseTheOtherByteOrder() throws Exception {
        // control for the two tests above: a big-endian magic over little-endian frame checksums
        byte[] mixed = reencode(wal, false, 11, 22);
        WalHeader beHeader = WalHeader.create(true, PAGE_SIZE, WalHeader.parse(mixed).checkpointSequence(), 11, 22);
        System.arraycopy(beHeader.encode(), 0, mixed, 0, WalHeader.SIZE);

        WalScanner.Committed scan = RealSqlite.scan(dir.resolve("mixed.wal"), mixed);
        assertThat(scan.found()).isFalse();
        assertThat(scan.framesScanned()).isZero();
        List<Long> seen = RealSqlite.digestWithWal(snapshot, mixed, dir.resolve("mixed"));
        assertThat(seen.get(0)).as("rows SQLite sees").isEqualTo(1);
    }

    @Test
    void headerChecksumDependsOnByteOrderAndRoundTrips() {
        for (boolean be : new boolean[] {false, true}) {
            WalHeader h = WalHeader.create(be, 65536, 3, 0x11223344, 0x55667788);
            byte[] b = h.encode();
            assertThat(Bytes.intBE(b, 8)).as("the WAL header stores 65536 as is").isEqualTo(65536);
            assertThat(WalHeader.parse(b)).isEqualTo(h);
            assertThat(WalChecksum.ZERO.update(b, 0, 24, be)).isEqualTo(h.checksum());
            assertThat(WalChecksum.ZERO.update(b, 0, 24, !be)).isNotEqualTo(h.checksum());
        }
    }
}
