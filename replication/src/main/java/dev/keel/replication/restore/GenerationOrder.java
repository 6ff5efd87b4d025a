package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.format.Lz4;
import dev.keel.format.WalHeader;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.WalSegmentInfo;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The WAL's evidence on the order {@link GenerationChooser} found by file times (the chooser decides what
 * to make of it). While a database lives
 * on (its wal-index kept by the replicator's own connection), each WAL restart adds one to salt-1,
 * through generation changes too: a replicator that lost its local state starts the new generation at
 * the WAL as it is. So when an older-by-time generation's last WAL index has a salt-1 a little
 * <em>ahead</em> of the chosen generation's first index, its WAL was written after the chosen one began:
 * the file times lie (a copy without {@code -p} stamps files in copy order) and the restore is refused,
 * naming both. Salts of unrelated WALs are random, so "a little ahead" ({@link #WINDOW} restarts)
 * matches by chance once in 2^16 pairs: a refusal, never a wrong restore. Reads the 32-byte header of
 * two WAL segments per generation.
 */
final class GenerationOrder {
    /** How many WAL restarts ahead still count as "continued after": about 45 days of one a minute. */
    static final long WINDOW = 1L << 16;

    private GenerationOrder() {
    }

    /** A generation ranked older whose WAL went on {@code ahead} restarts past another's start, seen in {@code last}. */
    record Continued(GenerationInfo generation, WalSegmentInfo last, long ahead) {
    }

    /** A generation ranked older than {@code chosen} by file times whose WAL went on after {@code chosen} began. */
    static Optional<Continued> continuedAfter(ReplicaObjects objects, ReplicaCatalog catalog, GenerationInfo chosen) {
        Optional<WalSegmentInfo> start = catalog.walSegments(chosen.generation()).stream().filter(w -> w.offset() == 0).findFirst();
        if (start.isEmpty()) return Optional.empty();
        int startSalt = salt1(objects, start.get());
        for (GenerationInfo other : catalog.generationInfos()) {
            if (other.generation().equals(chosen.generation()) || other.createdAt().isAfter(chosen.createdAt())) continue;
            List<WalSegmentInfo> wal = catalog.walSegments(other.generation());
            Optional<WalSegmentInfo> last = wal.stream().filter(w -> w.offset() == 0).reduce((a, b) -> b);
            if (last.isEmpty()) continue;
            long ahead = Integer.toUnsignedLong(salt1(objects, last.get()) - startSalt);
            if (ahead > 0 && ahead < WINDOW) return Optional.of(new Continued(other, last.get(), ahead));
        }
        return Optional.empty();
    }

    /** The refusal when the file times rank {@code chosen} newest and the WAL says {@code later} went on after it. */
    static KeelException refusal(ReplicaObjects objects, GenerationInfo chosen, Continued later) {
        GenerationInfo other = later.generation();
        return new KeelException(ErrorCode.BAD_INPUT, "cannot tell which generation is newest: by file times "
                + chosen.generation() + " is, but the WAL of generation " + other.generation() + " went on "
                + later.ahead() + " WAL restart(s) past the start of " + chosen.generation() + " (" + later.last().key()
                + "): files copied without keeping their times?",
                objects.describe() + "/" + ReplicaLayout.generationPrefix(other.generation()),
                "check both with 'keel generations' and 'keel wal', then choose one with -generation NAME");
    }

    private static int salt1(ReplicaObjects objects, WalSegmentInfo segment) {
        try (InputStream in = Lz4.decompressing(objects.open(segment.key(), n -> { }))) {
            return WalHeader.parse(in.readNBytes(WalHeader.SIZE)).salt1();
        } catch (Exception e) {
            throw objects.failure(segment.key(), "WAL segment", e);
        }
    }
}
