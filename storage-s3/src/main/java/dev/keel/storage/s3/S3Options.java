package dev.keel.storage.s3;

import java.time.Duration;

/**
 * Tuning of the S3 backend that is not part of a replica's config: network timeouts, retry count and
 * the multipart part size (objects larger than one part are uploaded in parts, one part in memory),
 * whether to delete in batches with DeleteObjects, and whether reads skip the SDK client's pipeline
 * (see {@code DirectReads}).
 */
public record S3Options(Duration connectTimeout, Duration socketTimeout, int maxAttempts, long partSize,
                        boolean multiObjectDelete, boolean directReads) {
    /** S3 refuses parts below 5 MiB (except the last one). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    public S3Options {
        if (partSize < MIN_PART_SIZE) throw new IllegalArgumentException("part size must be at least 5 MiB: " + partSize);
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    }

    /** 10 s to connect, 60 s without a byte from the server, 3 attempts, 16 MiB parts. */
    public static S3Options defaults() {
        return new S3Options(Duration.ofSeconds(10), Duration.ofSeconds(60), 3, 16L * 1024 * 1024, true, true);
    }

    public S3Options withTimeouts(Duration connect, Duration socket) {
        return new S3Options(connect, socket, maxAttempts, partSize, multiObjectDelete, directReads);
    }

    public S3Options withPartSize(long bytes) {
        return new S3Options(connectTimeout, socketTimeout, maxAttempts, bytes, multiObjectDelete, directReads);
    }

    public S3Options withMaxAttempts(int attempts) {
        return new S3Options(connectTimeout, socketTimeout, attempts, partSize, multiObjectDelete, directReads);
    }

    /** Off: delete one object per request, for servers without DeleteObjects (detected by itself, too). */
    public S3Options withMultiObjectDelete(boolean enabled) {
        return new S3Options(connectTimeout, socketTimeout, maxAttempts, partSize, enabled, directReads);
    }

    /** Off: every read goes through the SDK client (the path that errors and retries always take). */
    public S3Options withDirectReads(boolean enabled) {
        return new S3Options(connectTimeout, socketTimeout, maxAttempts, partSize, multiObjectDelete, enabled);
    }
}
