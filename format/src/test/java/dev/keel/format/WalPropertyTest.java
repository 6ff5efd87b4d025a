package dev.keel.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Properties of WALs written with {@link WalHeader#create} and {@link WalFrameHeader#write}: random
 * page sizes, byte orders, salts, page numbers and contents always scan back, and any single changed
 * byte stops the scan exactly at its frame. QuickTheories prints the falsifying values and its seed.
 */
class WalPropertyTest {
    private static final int MAX_WAL_BYTES = 1 << 20;

    @TempDir
    Path dir;

    /** A synthesized WAL and where its frames and commits are. */
    record SyntheticWal(byte[] bytes, WalHeader header, int frames, long[] commitEnds, WalChecksum[] checksums) {
        long frameStart(int i) {
            return WalHeader.SIZE + (long) i * header.frameSize();
        }

        /** The end of the last commit frame at or before byte offset {@code limit}. */
        long lastCommitEndAtOrBefore(long limit) {
            long end = WalHeader.SIZE;
            for (long e : commitEnds) if (e <= limit) end = Math.max(end, e);
            return end;
        }
    }

    static SyntheticWal synthesize(int pageSizeLog2, int wantedFrames, long seed, boolean bigEndian) {
        Random r = new Random(seed);
        int pageSize = 1 << pageSizeLog2;
        WalHeader header = WalHeader.create(bigEndian, pageSize, r.nextInt() & 0xffffffffL, r.nextInt(), r.nextInt());
        int frames = Math.max(1, Math.min(wantedFrames, (MAX_WAL_BYTES - WalHeader.SIZE) / header.frameSize()));
        byte[] wal = new byte[WalHeader.SIZE + frames * header.frameSize()];
        System.arraycopy(header.encode(), 0, wal, 0, WalHeader.SIZE);
        boolean endsWithCommit = r.nextInt(4) != 0;
        long[] commitEnds = new long[frames];
        WalChecksum[] checksums = new WalChecksum[frames];
        int commits = 0;
        WalChecksum running = header.checksum();
        for (int i = 0; i < frames; i++) {
            int off = WalHeader.SIZE + i * header.frameSize();
            byte[] page = new byte[pageSize];
            if (r.nextBoolean()) r.nextBytes(page); // otherwise an all-zero page, as SQLite writes for fresh pages
            System.arraycopy(page, 0, wal, off + WalFrameHeader.SIZE, pageSize);
            boolean last = i == frames - 1;
            boolean commit = last ? endsWithCommit : r.nextInt(3) == 0;
            long pageNumber = 1 + (r.nextInt() & 0xffffffffL) % 0xfffffffeL;
            long commitSize = commit ? 1 + (r.nextInt() & 0x7fffffff) : 0;
            running = WalFrameHeader.write(wal, off, pageNumber, commitSize, header, running);
            checksums[i] = running;
            if (commit) commitEnds[commits++] = off + header.frameSize();
        }
        return new SyntheticWal(wal, header, frames, Arrays.copyOf(commitEnds, commits), checksums);
    }

    private WalScanner.Committed scan(byte[] wal) {
        try {
            Path file = dir.resolve("wal");
            Files.write(file, wal);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                WalHeader h = WalScanner.readHeader(ch);
                return WalScanner.scanCommitted(ch, h, WalHeader.SIZE, h.checksum());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void writtenFramesAlwaysScanBackFully() {
        qt().withExamples(150).forAll(integers().between(9, 16), integers().between(1, 60), longs().all(), booleans().all())
                .checkAssert((log2, n, seed, be) -> {
                    SyntheticWal w = synthesize(log2, n, seed, be);
                    WalScanner.Committed c = scan(w.bytes());
                    long expectedEnd = w.lastCommitEndAtOrBefore(w.bytes().length);
                    assertThat(c.framesScanned()).isEqualTo(w.frames());
                    assertThat(c.endOffset()).isEqualTo(expectedEnd);
                    assertThat(c.frames()).isEqualTo((expectedEnd - WalHeader.SIZE) / w.header().frameSize());
                    if (c.found()) assertThat(c.checksum()).isEqualTo(w.checksums()[(int) c.frames() - 1]);

                    try {
                        WalFrameReader reader = WalFrameReader.fromStart(new ByteArrayInputStream(w.bytes()));
                        assertThat(reader.header()).isEqualTo(w.header());
                        for (int i = 0; i < w.frames(); i++) {
                            WalFrameReader.Frame f = reader.next();
                            int pageOff = (int) w.frameStart(i) + WalFrameHeader.SIZE;
                            assertThat(f.page()).isEqualTo(Arrays.copyOfRange(w.bytes(), pageOff, pageOff + w.header().pageSize()));
                        }
                        assertThat(reader.next()).isNull();
                        assertThat(reader.checksum()).isEqualTo(w.checksums()[w.frames() - 1]);
                        assertThat(reader.atCommitBoundary()).isEqualTo(expectedEnd == w.bytes().length);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    @Test
    void anySingleChangedByteStopsTheScanAtItsFrame() {
        qt().withExamples(300).forAll(integers().between(9, 16), integers().between(1, 40), longs().all(), integers().between(1, 255))
                .checkAssert((log2, n, seed, mask) -> {
                    SyntheticWal w = synthesize(log2, n, seed, (seed & 1) == 0);
                    byte[] bad = w.bytes().clone();
                    int pos = WalHeader.SIZE + (int) Math.floorMod(seed * 0x9E3779B97F4A7C15L, (long) bad.length - WalHeader.SIZE);
                    bad[pos] ^= (byte) (int) mask;
                    int k = (pos - WalHeader.SIZE) / w.header().frameSize();

                    WalScanner.Committed c = scan(bad);
                    assertThat(c.framesScanned()).as("frames accepted before the changed one").isEqualTo(k);
                    assertThat(c.endOffset()).isEqualTo(w.lastCommitEndAtOrBefore(w.frameStart(k)))
                            .isLessThanOrEqualTo(w.frameStart(k));
                    assertThatThrownBy(() -> {
                        WalFrameReader reader = WalFrameReader.fromStart(new ByteArrayInputStream(bad));
                        while (reader.next() != null) {
                            // read until the changed frame throws
                        }
                    }).isInstanceOf(WalFormatException.class).hasMessageContaining("frame " + k + " at WAL offset " + w.frameStart(k));
                });
    }

    @Test
    void anySingleChangedHeaderByteIsRejected() {
        qt().withExamples(200).forAll(longs().all(), integers().between(0, WalHeader.SIZE - 1), integers().between(1, 255), booleans().all())
                .checkAssert((seed, pos, mask, be) -> {
                    byte[] b = synthesize(10, 1, seed, be).bytes();
                    b[pos] ^= (byte) (int) mask;
                    assertThatThrownBy(() -> WalHeader.parse(b)).isInstanceOf(WalFormatException.class);
                });
    }

    @Test
    void checksumOfPartsEqualsChecksumOfTheWhole() {
        qt().withExamples(200).forAll(longs().all(), integers().between(0, 512), integers().between(0, 512), booleans().all())
                .checkAssert((seed, a, b, be) -> {
                    byte[] data = new byte[8 * (a + b)];
                    new Random(seed).nextBytes(data);
                    WalChecksum whole = WalChecksum.ZERO.update(data, 0, data.length, be);
                    WalChecksum parts = WalChecksum.ZERO.update(data, 0, 8 * a, be).update(data, 8 * a, 8 * b, be);
                    assertThat(parts).isEqualTo(whole);
                });
    }
}
