package dev.keel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;

/**
 * A stream of seeded pseudo-random bytes made on the fly, so tests can move tens of megabytes
 * without holding them; it can also break after a given number of bytes, like a failing disk.
 */
public final class GeneratedStream extends InputStream {
    private final SplittableRandom random;
    private final long length;
    private final long failAfter;
    private long position;
    private long word;
    private int wordBytesLeft;

    /**
     * @param seed      the same seed always yields the same bytes
     * @param length    total bytes
     * @param failAfter throw an IOException once this many bytes were read; negative for never
     */
    public GeneratedStream(long seed, long length, long failAfter) {
        this.random = new SplittableRandom(seed);
        this.length = length;
        this.failAfter = failAfter;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failAfter >= 0 && position >= failAfter) throw new IOException("simulated read failure at byte " + position);
        if (position >= length) return -1;
        long limit = Math.min(length, failAfter >= 0 ? failAfter : Long.MAX_VALUE);
        int n = (int) Math.min(len, limit - position);
        for (int i = 0; i < n; i++) {
            if (wordBytesLeft == 0) {
                word = random.nextLong();
                wordBytesLeft = 8;
            }
            b[off + i] = (byte) word;
            word >>>= 8;
            wordBytesLeft--;
        }
        position += n;
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, length - position);
    }
}
