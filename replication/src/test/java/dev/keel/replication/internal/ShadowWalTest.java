package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import dev.keel.replication.api.Generation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShadowWalTest {
    @TempDir
    Path dir;

    /** A WAL SQLite wrote: three committed transactions, copied while a connection keeps it. */
    private Path realWal() throws Exception {
        Path db = dir.resolve("src.db");
        Path copy = dir.resolve("copy.wal");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("PRAGMA wal_autocheckpoint = 0");
            s.execute("CREATE TABLE t (x BLOB)");
            s.execute("INSERT INTO t VALUES (randomblob(5000))");
            s.execute("INSERT INTO t VALUES (randomblob(100))");
            Files.copy(db.resolveSibling("src.db-wal"), copy);
        }
        return copy;
    }

    @Test
    void appendsCommittedBytesAndRecoversAfterATornAppend() throws Exception {
        Path wal = realWal();
        ShadowWal shadow = new ShadowWal(dir.resolve(".src.db-keel"), WriteGate.NONE);
        Generation g = Generation.random();
        try (FileChannel in = FileChannel.open(wal, StandardOpenOption.READ)) {
            byte[] header = new byte[WalHeader.SIZE];
            WalScanner.readFully(in, header, 0);
            WalHeader h = WalHeader.parse(header);
            WalScanner.Committed c = WalScanner.scanCommitted(in, h, WalHeader.SIZE, h.checksum());
            shadow.startGeneration(g, 0, header);
            assertThat(shadow.append(g, 0, WalHeader.SIZE, in, WalHeader.SIZE, c.endOffset() - WalHeader.SIZE, () -> true)).isTrue();
            assertThat(shadow.currentGeneration()).contains(g);
            assertThat(shadow.length(g, 0)).isEqualTo(c.endOffset());

            // A crash in the middle of the next append leaves part of a frame behind.
            try (FileChannel out = FileChannel.open(shadow.indexFile(g, 0), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                out.write(ByteBuffer.wrap(Arrays.copyOf(Files.readAllBytes(wal), 1000)));
            }
            ShadowWal.Tail tail = shadow.recover(g, 0).orElseThrow();
            assertThat(tail.end()).isEqualTo(c.endOffset());
            assertThat(tail.checksum()).isEqualTo(c.checksum());
            assertThat(shadow.length(g, 0)).isEqualTo(c.endOffset());
            assertThat(Files.readAllBytes(shadow.indexFile(g, 0)))
                    .isEqualTo(Arrays.copyOf(Files.readAllBytes(wal), (int) c.endOffset()));
        }
    }

    @Test
    void aFailedAppendLeavesTheFileAsItWas() throws Exception {
        Path wal = realWal();
        boolean[] full = {false};
        ShadowWal shadow = new ShadowWal(dir.resolve(".src.db-keel"), (file, bytes) -> {
            if (full[0]) throw new IOException("No space left on device");
        });
        Generation g = Generation.random();
        try (FileChannel in = FileChannel.open(wal, StandardOpenOption.READ)) {
            byte[] header = new byte[WalHeader.SIZE];
            WalScanner.readFully(in, header, 0);
            shadow.startGeneration(g, 0, header);
            full[0] = true;
            assertThatThrownBy(() -> shadow.append(g, 0, WalHeader.SIZE, in, WalHeader.SIZE, 4096 + 24, () -> true))
                    .hasMessageContaining("No space");
            assertThat(shadow.length(g, 0)).isEqualTo(WalHeader.SIZE);
            assertThatThrownBy(() -> shadow.startIndex(g, 1, header)).hasMessageContaining("No space");
            assertThat(shadow.indexes(g)).containsExactly(0L);
        }
    }

    @Test
    void bytesTheWalNoLongerHeldWhenCopiedAreDropped() throws Exception {
        Path wal = realWal();
        ShadowWal shadow = new ShadowWal(dir.resolve(".src.db-keel"), WriteGate.NONE);
        Generation g = Generation.random();
        try (FileChannel in = FileChannel.open(wal, StandardOpenOption.READ)) {
            byte[] header = new byte[WalHeader.SIZE];
            WalScanner.readFully(in, header, 0);
            shadow.startGeneration(g, 0, header);
            // the check says the WAL restarted under the copy: nothing of it may count
            assertThat(shadow.append(g, 0, WalHeader.SIZE, in, WalHeader.SIZE, 4096 + 24, () -> false)).isFalse();
            assertThat(shadow.length(g, 0)).isEqualTo(WalHeader.SIZE);
        }
    }

    /**
     * A first generation is written without fsync: every state a power cut could leave of it (no name, a
     * torn name, no index, a torn index) must read as no shadow, so the next start begins a new generation.
     */
    @Test
    void whatAPowerCutCanLeaveOfAFirstGenerationReadsAsNoShadow() throws Exception {
        byte[] header = WalHeader.create(false, 4096, 0, 7, 9).encode();
        Path meta = dir.resolve(".a.db-keel");
        ShadowWal shadow = new ShadowWal(meta, WriteGate.NONE);
        Generation first = Generation.random();
        shadow.startGeneration(first, 0, header);
        assertThat(shadow.currentGeneration()).contains(first);
        assertThat(shadow.recover(first, 0).orElseThrow().end()).isEqualTo(WalHeader.SIZE);

        Files.write(shadow.indexFile(first, 0), Arrays.copyOf(header, 10));
        assertThat(shadow.recover(first, 0)).as("a torn index").isEmpty();
        Files.delete(shadow.indexFile(first, 0));
        assertThat(shadow.indexes(first)).as("no index").isEmpty();
        Files.write(meta.resolve("generation"), new byte[0]);
        assertThat(shadow.currentGeneration()).as("an empty name").isEmpty();
        Files.write(meta.resolve("generation"), first.id().substring(0, 5).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(shadow.currentGeneration()).as("a torn name").isEmpty();
        Files.delete(meta.resolve("generation"));
        assertThat(shadow.currentGeneration()).as("no name").isEmpty();

        // A later generation replaces the name (durably): the new one is current, with its first index.
        shadow.startGeneration(first, 0, header);
        Generation next = Generation.random();
        shadow.startGeneration(next, 0, header);
        assertThat(shadow.currentGeneration()).contains(next);
        assertThat(shadow.recover(next, 0).orElseThrow().headerBytes()).isEqualTo(header);
        assertThat(Files.exists(meta.resolve("generation.tmp"))).as("no temp file left").isFalse();
    }
}
