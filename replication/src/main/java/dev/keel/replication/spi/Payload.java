package dev.keel.replication.spi;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes to upload, re-readable so that a backend can retry a failed upload or split it into parts.
 */
public interface Payload {
    /** Exact length in bytes. */
    long length();

    /** A fresh stream over the whole payload; each call starts again at the first byte. */
    InputStream open() throws IOException;

    static Payload of(byte[] bytes) {
        return new Payload() {
            @Override
            public long length() {
                return bytes.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }
        };
    }

    static Payload of(Path file) throws IOException {
        long size = Files.size(file);
        return new Payload() {
            @Override
            public long length() {
                return size;
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }
}
