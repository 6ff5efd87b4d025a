package dev.keel.replication.internal;

import dev.keel.format.Lz4;
import dev.keel.replication.cipher.AgeCipher;
import dev.keel.replication.spi.Payload;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes LZ4-compressed (and age-encrypted for a replica with recipients) the way Litestream stores them, ready to upload: small inputs stay in memory,
 * large ones go to a temp file in Keel's state directory (deleted on close), so a tens-of-megabytes
 * transaction or a large database never has to fit in the heap.
 */
final class CompressedUpload implements Payload, AutoCloseable {
    static final long IN_MEMORY_LIMIT = 4L << 20;
    private final byte[] bytes;
    private final Path file;
    private final long length;
    private final long rawLength;

    private CompressedUpload(byte[] bytes, Path file, long length, long rawLength) {
        this.bytes = bytes;
        this.file = file;
        this.length = length;
        this.rawLength = rawLength;
    }

    /**
     * Compresses {@code length} bytes read from {@code source} at {@code position}; fails when the source
     * ends early (the caller only asks for bytes it knows exist), unless {@code pageMultiple} > 0: then a
     * source that shrank while being read (a db file a checkpoint truncated) just ends the upload.
     */
    static CompressedUpload of(FileChannel source, long position, long length, WriteGate gate, Path tempDir,
                               int pageMultiple, AgeCipher cipher) throws IOException {
        if (length <= IN_MEMORY_LIMIT) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(64, length / 2));
            long raw = copyCompressed(source, position, length, out, pageMultiple, cipher);
            byte[] b = out.toByteArray();
            return new CompressedUpload(b, null, b.length, raw);
        }
        Files.createDirectories(tempDir);
        Path temp = Files.createTempFile(tempDir, "upload-", ".lz4");
        try {
            gate.beforeWrite(temp, length);
            long raw;
            try (OutputStream out = Files.newOutputStream(temp)) {
                raw = copyCompressed(source, position, length, out, pageMultiple, cipher);
            }
            return new CompressedUpload(null, temp, Files.size(temp), raw);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    private static long copyCompressed(FileChannel source, long position, long length, OutputStream sink,
                                       int pageMultiple, AgeCipher cipher) throws IOException {
        long done = 0;
        // LZ4 inside age, as Litestream 0.3 writes it; the age layer is absent for a plain replica.
        try (OutputStream out = Lz4.compressing(cipher.encrypting(new NonClosing(sink)), length)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(length, 1)));
            while (done < length) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), length - done));
                int n = source.read(buf, position + done);
                if (n < 0) break;
                out.write(buf.array(), 0, n);
                done += n;
            }
            if (done < length && pageMultiple <= 0) {
                throw new IOException("source ended after " + done + " of " + length + " bytes");
            }
        }
        return done;
    }

    /** Uncompressed bytes this upload holds. */
    long rawLength() {
        return rawLength;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public InputStream open() throws IOException {
        return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
    }

    @Override
    public void close() throws IOException {
        if (file != null) Files.deleteIfExists(file);
    }

    /** Lets the LZ4 stream finish its frame without closing the sink the caller owns. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
