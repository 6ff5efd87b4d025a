package dev.keel.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * SQLite's WAL checksum: two 32-bit running sums over 32-bit words, read in the byte order the WAL
 * header's magic selects. Immutable; {@link #update} returns the sums after more data.
 */
public record WalChecksum(int s0, int s1) {
    public static final WalChecksum ZERO = new WalChecksum(0, 0);
    // whole-word reads: about twice as fast as assembling bytes, and every WAL frame goes through here
    private static final VarHandle LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /**
     * The checksum after {@code len} more bytes; {@code len} must be a multiple of 8, as every
     * checksummed region in a WAL is.
     */
    public WalChecksum update(byte[] data, int off, int len, boolean bigEndian) {
        if ((len & 7) != 0) throw new IllegalArgumentException("checksummed length must be a multiple of 8: " + len);
        int a = s0, b = s1;
        int end = off + len;
        if (bigEndian) {
            for (int i = off; i < end; i += 8) {
                a += (int) BE.get(data, i) + b;
                b += (int) BE.get(data, i + 4) + a;
            }
        } else {
            for (int i = off; i < end; i += 8) {
                a += (int) LE.get(data, i) + b;
                b += (int) LE.get(data, i + 4) + a;
            }
        }
        return new WalChecksum(a, b);
    }

    @Override
    public String toString() {
        return String.format("%08x%08x", s0, s1);
    }
}
