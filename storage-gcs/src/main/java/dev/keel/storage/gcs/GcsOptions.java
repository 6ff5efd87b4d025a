package dev.keel.storage.gcs;

import java.time.Duration;

/**
 * Tuning of the Google Cloud Storage backend that is not part of a replica's config: network
 * timeouts, tries per request and the time all tries of one request may take, and the upload size
 * above which an object goes up as a resumable upload in chunks of {@code chunkSize} (one chunk in
 * memory) rather than in one request.
 */
public record GcsOptions(Duration connectTimeout, Duration ioTimeout, int maxTries, Duration totalTimeout,
                         int singleRequestLimit, int chunkSize) {
    /** The client library sends resumable uploads in multiples of 256 KiB. */
    static final int CHUNK_GRANULARITY = 256 * 1024;

    public GcsOptions {
        if (maxTries < 1) throw new IllegalArgumentException("maxTries must be at least 1");
        if (chunkSize < CHUNK_GRANULARITY || chunkSize % CHUNK_GRANULARITY != 0) {
            throw new IllegalArgumentException("chunk size must be a multiple of 256 KiB");
        }
        if (singleRequestLimit < 0) throw new IllegalArgumentException("single request limit must not be negative");
    }

    /** 10 s to connect, 60 s without a byte, 3 tries within 10 min, one request up to 8 MiB, 16 MiB chunks. */
    public static GcsOptions defaults() {
        return new GcsOptions(Duration.ofSeconds(10), Duration.ofSeconds(60), 3, Duration.ofMinutes(10),
                8 * 1024 * 1024, 16 * 1024 * 1024);
    }

    public GcsOptions withTimeouts(Duration connect, Duration io) {
        return new GcsOptions(connect, io, maxTries, io.multipliedBy(4L * maxTries), singleRequestLimit, chunkSize);
    }

    public GcsOptions withMaxTries(int tries) {
        return new GcsOptions(connectTimeout, ioTimeout, tries, totalTimeout, singleRequestLimit, chunkSize);
    }

    public GcsOptions withChunkSize(int bytes) {
        return new GcsOptions(connectTimeout, ioTimeout, maxTries, totalTimeout, singleRequestLimit, bytes);
    }
}
