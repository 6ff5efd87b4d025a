package dev.keel.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LZ4 frames as Litestream 0.3 writes them, checked byte by byte and against the lz4 command. */
class Lz4Test {
    private static final int MIB = 1 << 20;
    private static final int FRAME_MAGIC = 0x184D2204;

    @TempDir
    Path dir;

    /** Half random, half repetitive: exercises both compressed and stored blocks. */
    static byte[] sample(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int i = 0; i < size; i++) b[i] = (i / 4096) % 2 == 0 ? (byte) r.nextInt() : (byte) (i % 61);
        return b;
    }

    @Test
    void roundTripsEmptySmallBoundaryAndLargeData() throws IOException {
        int[] sizes = {0, 1, 100, 4 * MIB - 1, 4 * MIB, 4 * MIB + 1, 9 * MIB + 12345};
        for (int size : sizes) {
            byte[] data = sample(size, size);
            byte[] compressed = Lz4.compress(data);
            assertThat(Lz4.decompress(compressed)).as("size %d", size).isEqualTo(data);
            FrameLayout layout = FrameLayout.parse(compressed);
            assertThat(layout.blockSizes().stream().mapToInt(Integer::intValue).sum()).as("size %d", size).isEqualTo(size);
            assertThat(layout.blockSizes()).as("size %d", size).allMatch(n -> n <= 4 * MIB);
            assertThat(layout.blockSizes()).as("size %d", size).hasSize((size + 4 * MIB - 1) / (4 * MIB));
        }
        byte[] part = sample(1000, 7);
        assertThat(Lz4.decompress(Lz4.compress(part, 100, 500))).isEqualTo(Arrays.copyOfRange(part, 100, 600));
    }

    @Test
    void aSmallFrameHoldsBuffersOfItsOwnSizeNotOfTheMaximumBlock() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Lz4FrameWriter small = new Lz4FrameWriter(out, 0);
        small.write(sample(4096 + 24, 3));
        small.close();
        assertThat(small.bufferBytes()).as("a WAL segment of one frame").isLessThan(64 << 10);
        Lz4FrameWriter large = new Lz4FrameWriter(new java.io.ByteArrayOutputStream(), 0);
        large.write(sample(9 * MIB, 4));
        large.close();
        assertThat(large.bufferBytes()).as("capped by the 4 MiB block").isLessThanOrEqualTo(2 * 4 * MIB + 64 * 1024);
        assertThat(Lz4.decompress(out.toByteArray())).isEqualTo(sample(4096 + 24, 3));
    }

    @Test
    void aWriterToldTheSizeHoldsOneBufferOfThatSize() throws IOException {
        byte[] data = sample(300_000, 5);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Lz4FrameWriter sized = new Lz4FrameWriter(out, data.length);
        assertThat(sized.bufferBytes()).as("sized at once").isEqualTo(data.length);
        sized.write(data);
        sized.close();
        assertThat(Lz4.decompress(out.toByteArray())).isEqualTo(data);
        assertThat(new Lz4FrameWriter(out, 64L * MIB).bufferBytes()).as("never past the 4 MiB block").isEqualTo(4 * MIB);
        java.io.ByteArrayOutputStream more = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream under = Lz4.compressing(more, 1000)) {
            under.write(data); // more than announced: the buffer still grows
        }
        assertThat(Lz4.decompress(more.toByteArray())).isEqualTo(data);
    }

    @Test
    void frameDescriptorIsLitestreamStyle() {
        byte[] data = sample(5 * MIB, 1);
        byte[] c = Lz4.compress(data);
        assertThat(Bytes.intLE(c, 0)).as("frame magic").isEqualTo(FRAME_MAGIC);
        int flg = c[4] & 0xff;
        assertThat(flg >>> 6).as("version").isEqualTo(1);
        assertThat(flg & 0x20).as("block independence").isEqualTo(0x20);
        assertThat(flg & 0x10).as("block checksum").isZero();
        assertThat(flg & 0x08).as("content size").isZero();
        assertThat(flg & 0x04).as("content checksum").isEqualTo(0x04);
        assertThat(flg & 0x02).as("reserved").isZero();
        assertThat(flg & 0x01).as("dictionary id").isZero();
        int bd = c[5] & 0xff;
        assertThat(bd).as("block max size 4 MiB (7), reserved bits clear").isEqualTo(0x70);
        int hc = (XXHashFactory.fastestInstance().hash32().hash(c, 4, 2, 0) >>> 8) & 0xff;
        assertThat(c[6] & 0xff).as("header checksum").isEqualTo(hc);

        // blocks without checksums, an end mark, then the xxh32 of the content
        FrameLayout layout = FrameLayout.parse(c);
        assertThat(layout.end()).isEqualTo(c.length);
        assertThat(Bytes.intLE(c, c.length - 4)).isEqualTo(XXHashFactory.fastestInstance().hash32().hash(data, 0, data.length, 0));
    }

    @Test
    void readsConcatenatedFramesAsOneStream() throws IOException {
        byte[] a = sample(3000, 1);
        byte[] b = sample(70000, 2);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(Lz4.compress(a));
        both.write(Lz4.compress(b));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        assertThat(Lz4.decompress(both.toByteArray())).isEqualTo(expected.toByteArray());
    }

    @Test
    void corruptedInputIsAnIOException() {
        byte[] data = sample(300_000, 3);
        byte[] c = Lz4.compress(data);
        List<byte[]> bad = new ArrayList<>();
        bad.add(new byte[0]);
        bad.add(new byte[] {4, 0x22, 0x4d});
        bad.add("not lz4 at all, just some text".getBytes());
        for (int cut : new int[] {5, 7, 12, c.length / 2, c.length - 4, c.length - 1}) bad.add(Arrays.copyOf(c, cut));
        for (int pos : new int[] {0, 4, 5, 6, 8, 20, c.length / 3, c.length - 9, c.length - 2}) {
            byte[] flipped = c.clone();
            flipped[pos] ^= 0x10;
            bad.add(flipped);
        }
        byte[] trailing = Arrays.copyOf(c, c.length + 3);
        bad.add(trailing);
        for (int i = 0; i < bad.size(); i++) {
            byte[] input = bad.get(i);
            assertThatThrownBy(() -> Lz4.decompress(input)).as("corruption %d", i).isInstanceOf(IOException.class);
        }
    }

    @Test
    void streamingWritesMatchOneShotCompression() throws IOException {
        byte[] data = sample(6 * MIB, 4);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = Lz4.compressing(out)) {
            for (int off = 0; off < data.length; off += 70001) z.write(data, off, Math.min(70001, data.length - off));
        }
        assertThat(out.toByteArray()).isEqualTo(Lz4.compress(data));
        try (InputStream in = Lz4.decompressing(new java.io.ByteArrayInputStream(out.toByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    // --- interoperability with the lz4 command-line tool (skipped when it is not installed) ---

    private static String lz4Command() {
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, "lz4"))) return Path.of(p, "lz4").toString();
        }
        return null;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
    }

    @Test
    void lz4CommandDecompressesOurFrames() throws Exception {
        String lz4 = lz4Command();
        assumeTrue(lz4 != null, "the lz4 command is not installed");
        for (int size : new int[] {0, 10, 9 * MIB + 7}) {
            byte[] data = sample(size, 11);
            Path in = dir.resolve("ours-" + size + ".lz4");
            Path out = dir.resolve("ours-" + size + ".raw");
            Files.write(in, Lz4.compress(data));
            run(lz4, "-d", "-q", "-f", in.toString(), out.toString());
            assertThat(Files.readAllBytes(out)).as("size %d", size).isEqualTo(data);
        }
    }

    @Test
    void weReadWhatTheLz4CommandWrites() throws Exception {
        String lz4 = lz4Command();
        assumeTrue(lz4 != null, "the lz4 command is not installed");
        byte[] data = sample(9 * MIB + 7, 12);
        Path raw = dir.resolve("data.raw");
        Files.write(raw, data);

        // -B7: 4 MiB blocks; the CLI's defaults are independent blocks, content checksum, no block checksum
        Path litestreamStyle = dir.resolve("cli.lz4");
        run(lz4, "-q", "-f", "-B7", raw.toString(), litestreamStyle.toString());
        byte[] cli = Files.readAllBytes(litestreamStyle);
        byte[] ours = Lz4.compress(data);
        assertThat(Arrays.copyOfRange(cli, 0, 7)).as("same frame descriptor as ours").isEqualTo(Arrays.copyOfRange(ours, 0, 7));
        assertThat(Lz4.decompress(cli)).isEqualTo(data);

        // other variants a replica written by another tool could hold: all readable
        String[][] variants = {{"-B4"}, {"-BX", "-B7"}, {"--no-frame-crc", "-B7"}, {"--content-size", "-B7"}, {"-9"}};
        for (String[] options : variants) {
            Path out = dir.resolve("variant.lz4");
            List<String> cmd = new ArrayList<>(List.of(lz4, "-q", "-f"));
            cmd.addAll(List.of(options));
            cmd.addAll(List.of(raw.toString(), out.toString()));
            run(cmd.toArray(String[]::new));
            assertThat(Lz4.decompress(Files.readAllBytes(out))).as(String.join(" ", options)).isEqualTo(data);
        }

        // linked (dependent) blocks are not supported by the decoder; Litestream never writes them
        Path linked = dir.resolve("linked.lz4");
        run(lz4, "-q", "-f", "-BD", raw.toString(), linked.toString());
        assertThatThrownBy(() -> Lz4.decompress(Files.readAllBytes(linked))).isInstanceOf(IOException.class);
    }

    /**
     * The layout of one LZ4 frame without block checksums: the decompressed size of each block and
     * where the frame ends. Each block is decompressed on its own, which only works for independent blocks.
     */
    record FrameLayout(List<Integer> blockSizes, int end) {
        static FrameLayout parse(byte[] c) {
            net.jpountz.lz4.LZ4SafeDecompressor d = net.jpountz.lz4.LZ4Factory.fastestInstance().safeDecompressor();
            byte[] block = new byte[4 * MIB];
            int pos = 7; // magic, FLG, BD, HC
            List<Integer> sizes = new ArrayList<>();
            while (true) {
                int word = Bytes.intLE(c, pos);
                pos += 4;
                if (word == 0) break;
                int len = word & 0x7fffffff;
                boolean stored = word < 0; // high bit: the block is stored uncompressed
                sizes.add(stored ? len : d.decompress(c, pos, len, block, 0, block.length));
                pos += len;
            }
            return new FrameLayout(sizes, pos + 4); // the content checksum follows the end mark
        }
    }
}
