package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.format.Lz4;
import dev.keel.replication.api.WalSegmentInfo;
import java.io.IOException;
import java.io.InputStream;

/** Reads one WAL segment from the replica and replays it, with the replica file named in any failure. */
final class SegmentApply {
    private SegmentApply() {
    }

    static void replay(ReplicaObjects objects, WalReplayer replayer, WalSegmentInfo segment) {
        try (InputStream in = Lz4.decompressing(objects.open(segment.key(), n -> { }))) {
            replayer.apply(segment, in, -1);
        } catch (KeelException e) {
            if (e.subject() != null || e.code() != ErrorCode.BAD_INPUT) throw e;
            throw objects.failure(segment.key(), "WAL segment", e);
        } catch (IOException | RuntimeException e) {
            throw objects.failure(segment.key(), "WAL segment", e);
        }
    }
}
