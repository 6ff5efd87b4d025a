package dev.keel.replication.internal;

import dev.keel.format.WalChecksum;
import dev.keel.format.WalHeader;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;

/**
 * Where the shadow WAL of a database stands: the generation and WAL index it is copying, the real WAL's
 * header for that index, how far committed bytes were copied, the running checksum there and the last
 * frame copied (re-read from the real WAL to prove it still continues the shadow).
 */
record ShadowState(Generation generation, long index, byte[] headerBytes, WalHeader header, long end,
                   WalChecksum checksum, byte[] lastFrame) {

    static ShadowState start(Generation generation, long index, byte[] headerBytes) {
        WalHeader h = WalHeader.parse(headerBytes);
        return new ShadowState(generation, index, headerBytes.clone(), h, WalHeader.SIZE, h.checksum(), null);
    }

    ShadowState advancedTo(long newEnd, WalChecksum newChecksum, byte[] newLastFrame) {
        return new ShadowState(generation, index, headerBytes, header, newEnd, newChecksum, newLastFrame);
    }

    Position position() {
        return new Position(generation, index, end);
    }

    /** Frames copied for this index. */
    long frames() {
        return (end - WalHeader.SIZE) / header.frameSize();
    }
}
