package dev.keel.replication.internal;

import dev.keel.replication.api.Position;
import dev.keel.replication.spi.BoundedInputStream;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.restore.WalReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a replica against the live database ({@code validation-interval}): builds the database as it
 * is at a shadow WAL position from the db file plus that WAL index's frames, restores the replica to
 * the same position with the production restore, and compares the two page by page.
 */
final class Validator {
    private static final Logger LOG = LoggerFactory.getLogger(Validator.class);

    private Validator() {
    }

    /** The outcome: equal, or the first page that differs. */
    record Result(Position position, long pages, long firstDifferentPage) {
        boolean ok() {
            return firstDifferentPage < 0;
        }
    }

    static Result validate(Replica replica, DatabaseMonitor monitor) throws IOException, SQLException {
        Path tmp = Files.createDirectories(monitor.shadow().tempDir());
        Path live = Files.createTempFile(tmp, "validate-live-", ".db");
        Path restored = tmp.resolve("validate-restored-" + System.nanoTime() + ".db");
        try {
            Position at = monitor.liveImage(live);
            replica.sync();
            Position pos = replica.position();
            if (pos == null || !pos.generation().equals(at.generation()) || pos.compareTo(at) < 0) {
                throw new IOException("replica is not at " + at + " yet (at " + pos + "); validation skipped this round");
            }
            Restorer.configure().from(replica.client()).output(restored).position(at).restore();
            Result result = compare(live, restored, monitor.pageSize(), at);
            if (result.ok()) {
                LOG.info("{} -> {}: validation passed at {} ({} pages equal)", monitor.path(), replica.client().describe(), at, result.pages());
            } else {
                LOG.error("{} -> {}: VALIDATION FAILED at {}: page {} differs between the database and its restore",
                        monitor.path(), replica.client().describe(), at, result.firstDifferentPage());
            }
            return result;
        } finally {
            Files.deleteIfExists(live);
            Files.deleteIfExists(restored);
        }
    }

    private static Result compare(Path a, Path b, int pageSize, Position at) throws IOException {
        try (FileChannel x = FileChannel.open(a, StandardOpenOption.READ); FileChannel y = FileChannel.open(b, StandardOpenOption.READ)) {
            long pages = Math.max(x.size(), y.size()) / pageSize;
            if (x.size() != y.size()) return new Result(at, pages, Math.min(x.size(), y.size()) / pageSize + 1);
            ByteBuffer pa = ByteBuffer.allocate(pageSize);
            ByteBuffer pb = ByteBuffer.allocate(pageSize);
            for (long p = 0; p < pages; p++) {
                pa.clear();
                pb.clear();
                x.read(pa, p * pageSize);
                y.read(pb, p * pageSize);
                byte[] ba = pa.array();
                byte[] bb = pb.array();
                if (p == 0) {
                    // bytes 18-19 hold the journal mode (WAL or not), which a restore may set differently
                    ba[18] = bb[18];
                    ba[19] = bb[19];
                }
                if (!Arrays.equals(ba, bb)) return new Result(at, pages, p + 1);
            }
            return new Result(at, pages, -1);
        }
    }

    /**
     * Writes {@code out}: the db file overlaid with the committed frames of one WAL index (read from
     * the shadow WAL), cut to the size of its last commit, by the restore's {@link WalReplayer}. Frames a checkpoint may be writing into the
     * db file while it is read are all in that index, so the overlay repairs any page read mid-write.
     */
    static void buildImage(FileChannel dbFile, InputStream walIndex, int pageSize, Path out) throws IOException {
        try (FileChannel dst = FileChannel.open(out, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = dbFile.size() - dbFile.size() % pageSize;
            long done = 0;
            while (done < size) {
                long n = dbFile.transferTo(done, size - done, dst.position(done));
                if (n <= 0) break;
                done += n;
            }
        }
        WalReplayer.replayIndex(out, walIndex, 0, pageSize);
    }

    static InputStream open(FileChannel ch, long length) {
        return new java.io.BufferedInputStream(new BoundedInputStream(Channels.newInputStream(ch), length), 1 << 20);
    }
}
