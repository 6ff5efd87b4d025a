package dev.keel.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Lz4FrameDecoder} and {@link Lz4StreamDecoder} (on the calling thread and on a pool) agree with lz4-java's frame reader on every
 * input: the same content for valid frames, an error for damaged ones.
 */
class Lz4DecodersTest {
    private static final ExecutorService POOL = Executors.newFixedThreadPool(3);

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    /** What lz4-java's own stream reader makes of the input: the content, or null for an error. */
    private static byte[] reference(byte[] input) {
        try (InputStream in = new net.jpountz.lz4.LZ4FrameInputStream(new ByteArrayInputStream(input))) {
            return in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] inMemory(Lz4FrameDecoder decoder, byte[] input) {
        try {
            int n = decoder.decode(input, 0, input.length);
            return Arrays.copyOf(decoder.buffer(), n);
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] parallel(byte[] input, int window) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Lz4StreamDecoder decoder = window == 0 ? Lz4StreamDecoder.onCallingThread() : new Lz4StreamDecoder(POOL, window);
            long n = decoder.decode(new ByteArrayInputStream(input), (offset, content, from, length) -> {
                assertThat(offset).as("content arrives in order").isEqualTo(out.size());
                out.write(content, from, length);
            });
            assertThat(n).isEqualTo(out.size());
            return out.toByteArray();
        } catch (IOException e) {
            return null;
        }
    }

    /** A frame with the given block size and flags, compressed by lz4-java. */
    private static byte[] frame(byte[] data, LZ4FrameOutputStream.BLOCKSIZE blockSize, long knownSize,
                                LZ4FrameOutputStream.FLG.Bits... bits) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (LZ4FrameOutputStream out = new LZ4FrameOutputStream(bytes, blockSize, knownSize,
                LZ4Factory.fastestInstance().fastCompressor(), XXHashFactory.fastestInstance().hash32(), bits)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static byte[] skippable(int size) {
        byte[] b = new byte[8 + size];
        b[0] = 0x5A;
        b[1] = 0x2A;
        b[2] = 0x4D;
        b[3] = 0x18;
        b[4] = (byte) size;
        b[5] = (byte) (size >>> 8);
        return b;
    }

    @Test
    void agreeWithLz4JavaOnValidAndDamagedInput() throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Lz4FrameDecoder reused = new Lz4FrameDecoder();
        LZ4FrameOutputStream.BLOCKSIZE[] sizes = LZ4FrameOutputStream.BLOCKSIZE.values();
        for (int round = 0; round < 60; round++) {
            String context = "seed " + seed + " round " + round;
            byte[] data = Lz4Test.sample(random.nextInt(3) == 0 ? random.nextInt(300_000) : random.nextInt(2000), random.nextLong());
            LZ4FrameOutputStream.BLOCKSIZE blockSize = sizes[random.nextInt(sizes.length)];
            byte[] valid = switch (random.nextInt(5)) {
                case 0 -> Lz4.compress(data);
                case 1 -> frame(data, blockSize, data.length, LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE,
                        LZ4FrameOutputStream.FLG.Bits.CONTENT_SIZE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM);
                case 2 -> frame(data, blockSize, -1, LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE,
                        LZ4FrameOutputStream.FLG.Bits.BLOCK_CHECKSUM);
                case 3 -> concat(skippable(random.nextInt(40)), Lz4.compress(data), frame(data, blockSize, -1,
                        LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE));
                default -> concat(Lz4.compress(Arrays.copyOf(data, data.length / 2)), Lz4.compress(data));
            };
            byte[] expected = reference(valid);
            assertThat(expected).as(context).isNotNull();
            assertThat(inMemory(reused, valid)).as(context).isEqualTo(expected);
            assertThat(inMemory(new Lz4FrameDecoder(), valid)).as(context).isEqualTo(expected);
            assertThat(parallel(valid, random.nextInt(5))).as(context).isEqualTo(expected);

            for (int damage = 0; damage < 8; damage++) {
                byte[] bad = valid.clone();
                String what;
                if (damage == 0) {
                    bad = Arrays.copyOf(valid, random.nextInt(valid.length));
                    what = "cut to " + bad.length;
                } else if (damage == 1) {
                    bad = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(5));
                    what = "trailing bytes";
                } else {
                    int pos = random.nextInt(valid.length);
                    bad[pos] ^= (byte) (1 << random.nextInt(8));
                    what = "bit flip at " + pos;
                }
                String where = context + " " + what;
                byte[] ref = reference(bad);
                assertThat(inMemory(reused, bad)).as(where).isEqualTo(ref);
                assertThat(parallel(bad, random.nextInt(5))).as(where).isEqualTo(ref);
            }
        }
    }

    @Test
    void reusedDecoderKeepsNothingFromEarlierInput() throws IOException {
        Lz4FrameDecoder decoder = new Lz4FrameDecoder();
        byte[] big = Lz4Test.sample(9 << 20, 1);
        byte[] small = Lz4Test.sample(100, 2);
        for (byte[] data : new byte[][] {big, small, new byte[0], big}) {
            int n = decoder.decode(Lz4.compress(data), 0, Lz4.compress(data).length);
            assertThat(Arrays.copyOf(decoder.buffer(), n)).isEqualTo(data);
        }
        byte[] framed = Lz4.compress(small);
        byte[] padded = concat(new byte[] {9, 9, 9}, framed, new byte[] {7});
        int n = decoder.decode(padded, 3, framed.length);
        assertThat(Arrays.copyOf(decoder.buffer(), n)).isEqualTo(small);
    }

    @Test
    void largeInputDecodesInParallelInOrder() {
        byte[] data = Lz4Test.sample(21 << 20, 3);
        assertThat(parallel(Lz4.compress(data), 3)).isEqualTo(data);
        assertThat(parallel(Lz4.compress(data), 0)).isEqualTo(data);
        byte[] damaged = Lz4.compress(data);
        damaged[damaged.length - 2] ^= 1; // content checksum
        assertThat(parallel(damaged, 3)).isNull();
    }

    @Test
    void emptyAndForeignInputAreErrors() {
        Lz4FrameDecoder decoder = new Lz4FrameDecoder();
        for (byte[] input : new byte[][] {new byte[0], "plain text, not lz4".getBytes(), skippable(3)}) {
            if (input.length == 11) {
                assertThat(inMemory(decoder, input)).isEqualTo(reference(input));
                continue;
            }
            assertThatThrownBy(() -> decoder.decode(input, 0, input.length)).isInstanceOf(IOException.class);
            assertThat(parallel(input, 2)).isNull();
        }
    }
}
