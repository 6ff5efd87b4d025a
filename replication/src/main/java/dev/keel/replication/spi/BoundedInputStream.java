package dev.keel.replication.spi;

import java.io.IOException;
import java.io.InputStream;

/** A stream that ends after a byte count: ranged reads over a stream positioned at the range start. */
public final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    public BoundedInputStream(InputStream in, long remaining) {
        this.in = in;
        this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
        if (remaining <= 0) return -1;
        int b = in.read();
        if (b >= 0) remaining--;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) return -1;
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n > 0) remaining -= n;
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
