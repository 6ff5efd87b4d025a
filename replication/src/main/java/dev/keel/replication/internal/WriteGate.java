package dev.keel.replication.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Called before Keel writes to its local state directory. Production uses {@link #NONE}; tests wrap the
 * real file system with a gate that fails like a full disk, to check that replication recovers.
 */
@FunctionalInterface
public interface WriteGate {
    WriteGate NONE = (file, bytes) -> {
    };

    /** Throws to refuse a write of {@code bytes} bytes to {@code file}. */
    void beforeWrite(Path file, long bytes) throws IOException;
}
