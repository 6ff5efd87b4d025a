package dev.keel.fleet.branch;

import dev.keel.format.WalFrameHeader;
import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Copies a live WAL-mode database by reading its files directly, at the speed of the disk, while one
 * SQLite read transaction pins a committed state; writers never wait for it. Why the result is that
 * state:
 * <ul>
 * <li>The wal-index header (in {@code -shm}) read just before and just after the read transaction
 * began is the same, so the transaction sees exactly that header: {@code mxFrame} frames of the WAL,
 * {@code nPage} pages.</li>
 * <li>While the transaction lasts, a checkpoint copies into the database file only frames it can see,
 * and the WAL is not restarted under it; when every frame was already copied ({@code nBackfill ==
 * mxFrame}) nothing more can be copied into the file until it ends. So the database file plus the
 * newest copy of each page among those frames is the state, however the file changes during the copy.</li>
 * </ul>
 * Descriptors this process opens on the database, its WAL or its {@code -shm} are closed only after
 * the SQLite connection: closing a descriptor drops every POSIX lock the process holds on that file.
 * An application's own connections in the same process would lose theirs, which is why this copy is
 * only used when the caller says the source is not open in this process
 * ({@link BranchSpec.Builder#readFilesDirectly}). Returns null, having written nothing that counts,
 * when no stable header could be read (the caller then uses the online backup).
 */
final class DirectCopy {
    private static final int ATTEMPTS = 50;
    private static final int HEADER_BYTES = 48;
    private static final int SHM_PREFIX = 136;
    private static final int NBACKFILL_OFFSET = 96;

    private DirectCopy() {
    }

    /** The state a read transaction sees, read from the wal-index header. */
    record Pinned(int mxFrame, long pages, int pageSize, byte[] salts, boolean allBackfilled) {
    }

    static BranchOrigin.Live copy(Path source, Path dest) throws IOException, SQLException {
        Path walPath = Path.of(source + "-wal");
        Path shmPath = Path.of(source + "-shm");
        FileChannel db = FileChannel.open(source, StandardOpenOption.READ);
        FileChannel shm = null;
        FileChannel wal = null;
        Connection reader = null;
        try {
            reader = LiveCopy.openReadOnly(source);
            reader.setAutoCommit(false);
            begin(reader); // creates -shm when nobody had the database open
            reader.rollback();
            if (!Files.exists(shmPath)) return null;
            shm = FileChannel.open(shmPath, StandardOpenOption.READ);
            if (Files.exists(walPath)) wal = FileChannel.open(walPath, StandardOpenOption.READ);
            Instant at = null;
            Pinned pinned = null;
            for (int attempt = 0; attempt < ATTEMPTS && pinned == null; attempt++) {
                byte[] before = shmPrefix(shm);
                at = Instant.now();
                begin(reader);
                byte[] after = shmPrefix(shm);
                pinned = pinned(before, after);
                if (pinned == null) {
                    reader.rollback();
                    sleep(attempt);
                }
            }
            if (pinned == null) return null;
            if (!write(db, wal, pinned, dest)) return null;
            return new BranchOrigin.Live(at, "wal");
        } finally {
            if (reader != null) reader.close();
            close(wal);
            close(shm);
            db.close();
        }
    }

    /** Starts the read transaction (a deferred transaction begins at its first read). */
    private static void begin(Connection reader) throws SQLException {
        try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
            rs.next();
        }
    }

    /**
     * The pinned state when both reads show one valid header (both copies equal, initialized) and no
     * commit, checkpoint progress or restart came between them; null to try again.
     */
    static Pinned pinned(byte[] before, byte[] after) {
        if (before == null || after == null || !Arrays.equals(before, after)) return null;
        if (!Arrays.equals(before, 0, HEADER_BYTES, before, HEADER_BYTES, 2 * HEADER_BYTES)) return null;
        ByteBuffer h = ByteBuffer.wrap(before).order(ByteOrder.nativeOrder());
        if (h.getInt(0) != 3007000 || h.get(12) != 1) return null;
        int size = Short.toUnsignedInt(h.getShort(14));
        int pageSize = size == 1 ? 65536 : size;
        int mxFrame = h.getInt(16);
        long pages = Integer.toUnsignedLong(h.getInt(20));
        byte[] salts = Arrays.copyOfRange(before, 32, 40);
        int backfilled = h.getInt(NBACKFILL_OFFSET);
        return new Pinned(mxFrame, pages, pageSize, salts, backfilled == mxFrame);
    }

    /** Writes the pinned state to {@code dest}; false when the WAL turned out not to hold it. */
    private static boolean write(FileChannel db, FileChannel wal, Pinned pinned, Path dest) throws IOException {
        // With no frame in the WAL the header carries no size (nPage 0): the database file, which nothing can
        // change while the transaction reads it alone, is the state.
        long size = pinned.mxFrame() == 0 ? db.size() : pinned.pages() * pinned.pageSize();
        try (FileChannel out = FileChannel.open(dest, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long copied = 0;
            long end = Math.min(size, db.size());
            while (copied < end) {
                long n = db.transferTo(copied, end - copied, out);
                if (n <= 0) break;
                copied += n;
            }
            if (!pinned.allBackfilled() && pinned.mxFrame() > 0) {
                if (wal == null || !overlay(wal, pinned, out)) return false;
            }
            if (out.size() < size) return false; // a page of the state is in neither file: not the state we pinned
            out.truncate(size);
        }
        return true;
    }

    /** Writes the newest copy of each page among the pinned frames over the database file's. */
    private static boolean overlay(FileChannel wal, Pinned pinned, FileChannel out) throws IOException {
        WalHeader header = WalScanner.readHeader(wal);
        if (header == null || !sameSalts(header, pinned) || header.pageSize() != pinned.pageSize()) return false;
        int frameSize = header.frameSize();
        Map<Long, Long> newest = new HashMap<>();
        byte[] fh = new byte[WalFrameHeader.SIZE];
        for (long i = 0; i < pinned.mxFrame(); i++) {
            long offset = WalHeader.SIZE + i * frameSize;
            if (WalScanner.readFully(wal, fh, offset) < fh.length) return false;
            WalFrameHeader frame = WalFrameHeader.parse(fh, 0);
            if (!header.saltsMatch(frame)) return false;
            if (frame.pageNumber() <= pinned.pages()) newest.put(frame.pageNumber(), offset);
        }
        byte[] page = new byte[pinned.pageSize()];
        for (Map.Entry<Long, Long> e : newest.entrySet()) {
            if (WalScanner.readFully(wal, page, e.getValue() + WalFrameHeader.SIZE) < page.length) return false;
            ByteBuffer b = ByteBuffer.wrap(page);
            long at = (e.getKey() - 1) * pinned.pageSize();
            while (b.hasRemaining()) at += out.write(b, at);
        }
        // The WAL is rewritten only after a restart, which writes its header first: same salts now means
        // every frame above was read before any rewrite.
        WalHeader now = WalScanner.readHeader(wal);
        return now != null && sameSalts(now, pinned);
    }

    private static boolean sameSalts(WalHeader header, Pinned pinned) {
        ByteBuffer salts = ByteBuffer.wrap(pinned.salts()); // the wal-index keeps the WAL header's bytes as they are
        return salts.getInt(0) == header.salt1() && salts.getInt(4) == header.salt2();
    }

    private static byte[] shmPrefix(FileChannel shm) throws IOException {
        byte[] b = new byte[SHM_PREFIX];
        return WalScanner.readFully(shm, b, 0) == SHM_PREFIX ? b : null;
    }

    private static void sleep(int attempt) {
        try {
            Thread.sleep(Math.min(50, 1 + attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void close(FileChannel ch) throws IOException {
        if (ch != null) ch.close();
    }
}
