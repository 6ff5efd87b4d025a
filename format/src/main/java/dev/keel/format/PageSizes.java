package dev.keel.format;

/** SQLite page sizes: powers of two from 512 to 65536. */
public final class PageSizes {
    private PageSizes() {
    }

    /** True for a power of two from 512 to 65536. */
    public static boolean isValid(int pageSize) {
        return pageSize >= 512 && pageSize <= 65536 && Integer.bitCount(pageSize) == 1;
    }

    /** The database header stores 65536 as 1 in a 16-bit field. */
    public static int decodeHeaderField(int raw) {
        return raw == 1 ? 65536 : raw;
    }

    /** The 16-bit database header field for a page size: 65536 does not fit and is stored as 1. */
    public static int encodeHeaderField(int pageSize) {
        if (!isValid(pageSize)) throw new IllegalArgumentException("invalid page size " + pageSize);
        return pageSize == 65536 ? 1 : pageSize;
    }
}
