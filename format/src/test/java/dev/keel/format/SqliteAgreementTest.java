package dev.keel.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Frames and headers that look almost valid: the format classes must reject exactly what SQLite rejects. */
class SqliteAgreementTest {
    @TempDir
    Path dir;

    private Path snapshot;
    private byte[] ten;
    private byte[] eleven;
    private List<Long> digestTen;
    private List<Long> digestEleven;

    @BeforeEach
    void sqliteWritesElevenCommits() throws Exception {
        Path db = dir.resolve("live.db");
        snapshot = dir.resolve("snapshot.db");
        RealSqlite.createClosedWalDatabase(db, 1024);
        Files.copy(db, snapshot);
        try (Connection c = RealSqlite.open(db)) {
            RealSqlite.exec(c, "PRAGMA wal_autocheckpoint=0", "PRAGMA synchronous=OFF");
            RealSqlite.insertRows(c, 10, 900);
            ten = RealSqlite.walBytes(db);
            digestTen = RealSqlite.contentDigest(c);
            RealSqlite.insertBlob(c, 3000);
            eleven = RealSqlite.walBytes(db);
            digestEleven = RealSqlite.contentDigest(c);
        }
    }

    @Test
    void aFrameWithPageNumberZeroEndsTheWalEvenWithAValidChecksum() throws Exception {
        WalHeader header = WalHeader.parse(eleven);
        WalChecksum running = RealSqlite.scan(dir.resolve("ten.wal"), ten).checksum();
        byte[] forged = eleven.clone();
        int frameSize = header.frameSize();
        assertThat(eleven.length - ten.length).isGreaterThanOrEqualTo(2 * frameSize);
        for (int off = ten.length; off < eleven.length; off += frameSize) {
            WalFrameHeader fh = WalFrameHeader.parse(eleven, off);
            long pageNumber = off == ten.length ? 0 : fh.pageNumber(); // the eleventh transaction's first frame
            Bytes.putIntBE(forged, off, (int) pageNumber);
            WalChecksum c = WalFrameHeader.expectedChecksum(running, forged, off, header.pageSize(), false);
            Bytes.putIntBE(forged, off + 16, c.s0());
            Bytes.putIntBE(forged, off + 20, c.s1());
            running = c;
        }

        WalScanner.Committed scan = RealSqlite.scan(dir.resolve("forged.wal"), forged);
        assertThat(scan.endOffset()).isEqualTo(ten.length);
        assertThat(scan.framesScanned()).isEqualTo((ten.length - WalHeader.SIZE) / frameSize);
        assertThatThrownBy(() -> {
            WalFrameReader r = WalFrameReader.fromStart(new ByteArrayInputStream(forged));
            while (r.next() != null) {
                // until the forged frame
            }
        }).isInstanceOf(WalFormatException.class).hasMessageContaining("page number 0");
        assertThat(RealSqlite.digestWithWal(snapshot, forged, dir.resolve("forged"))).isEqualTo(digestTen);
        // control: unforged, SQLite sees the eleventh row
        assertThat(RealSqlite.digestWithWal(snapshot, eleven, dir.resolve("real"))).isEqualTo(digestEleven);
    }

    @Test
    void aWalWithAnotherFormatVersionIsRefusedBySqliteAndByParse() throws Exception {
        byte[] other = eleven.clone();
        Bytes.putIntBE(other, 4, WalHeader.FORMAT_VERSION + 1);
        WalChecksum c = WalChecksum.ZERO.update(other, 0, 24, false);
        Bytes.putIntBE(other, 24, c.s0());
        Bytes.putIntBE(other, 28, c.s1());

        assertThatThrownBy(() -> WalHeader.parse(other)).isInstanceOf(WalFormatException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> RealSqlite.digestWithWal(snapshot, other, dir.resolve("other")))
                .isInstanceOf(SQLException.class);
    }
}
