package dev.keel.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalScannerSmokeTest {
    @TempDir
    Path dir;

    @Test
    void scansEveryCommitOfARealWal() throws Exception {
        Path db = dir.resolve("t.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA wal_autocheckpoint=0");
            s.execute("CREATE TABLE t(x)");
            for (int i = 0; i < 20; i++) s.execute("INSERT INTO t VALUES (randomblob(300))");
            Path wal = dir.resolve("t.db-wal");
            try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.READ)) {
                WalHeader h = WalScanner.readHeader(ch);
                WalScanner.Committed c1 = WalScanner.scanCommitted(ch, h, WalHeader.SIZE, h.checksum());
                assertThat(c1.endOffset()).isEqualTo(Files.size(wal));
                assertThat(c1.frames()).isGreaterThanOrEqualTo(21);
                assertThat(WalScanner.checksumAt(ch, h, c1.endOffset())).isEqualTo(c1.checksum());

                byte[] all = Files.readAllBytes(wal);
                byte[] roundTrip = Lz4.decompress(Lz4.compress(all));
                WalFrameReader r = WalFrameReader.fromStart(new ByteArrayInputStream(roundTrip));
                int n = 0;
                while (r.next() != null) n++;
                assertThat(n).isEqualTo(c1.frames());
                assertThat(r.checksum()).isEqualTo(c1.checksum());
            }
        }
    }
}
