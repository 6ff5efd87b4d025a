package dev.keel.storage.azure;

import java.time.Duration;

/**
 * Tuning of the Azure Blob backend that is not part of a replica's config: network timeouts, the
 * number of tries per request, and the block size (larger objects are staged block by block, one
 * block in memory, then committed at once).
 */
public record AzureOptions(Duration connectTimeout, Duration ioTimeout, Duration tryTimeout, int maxTries, int blockSize) {
    public AzureOptions {
        if (maxTries < 1) throw new IllegalArgumentException("maxTries must be at least 1");
        if (blockSize < 64 * 1024) throw new IllegalArgumentException("block size must be at least 64 KiB");
    }

    /** 10 s to connect, 60 s without a byte, 10 min per try, 3 tries, 8 MiB blocks. */
    public static AzureOptions defaults() {
        return new AzureOptions(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(10), 3, 8 * 1024 * 1024);
    }

    public AzureOptions withTimeouts(Duration connect, Duration io) {
        return new AzureOptions(connect, io, io.multipliedBy(4), maxTries, blockSize);
    }

    public AzureOptions withMaxTries(int tries) {
        return new AzureOptions(connectTimeout, ioTimeout, tryTimeout, tries, blockSize);
    }

    public AzureOptions withBlockSize(int bytes) {
        return new AzureOptions(connectTimeout, ioTimeout, tryTimeout, maxTries, bytes);
    }
}
