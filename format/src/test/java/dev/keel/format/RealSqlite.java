package dev.keel.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Produces database and WAL files with real SQLite (sqlite-jdbc). WAL bytes are copied while the
 * writing connection is still open, so SQLite never gets the chance to checkpoint them away on close.
 * Only the {@code -wal} file is ever read with Java I/O while connections are open.
 */
final class RealSqlite {
    private RealSqlite() {
    }

    static Connection open(Path db) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }

    /**
     * Opens a new WAL-mode database with {@code t(id INTEGER PRIMARY KEY, v BLOB)}, automatic
     * checkpoints off and an empty WAL, so the next transaction is the WAL's first commit.
     */
    static Connection newWalDatabase(Path db, int pageSize) throws SQLException {
        Connection c = open(db);
        exec(c, "PRAGMA page_size=" + pageSize, "PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
                // the file format is the same with or without fsync; skipping it keeps the tests fast
                "PRAGMA synchronous=OFF",
                "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)", "PRAGMA wal_checkpoint(TRUNCATE)");
        if (queryLong(c, "PRAGMA page_size") != pageSize) throw new IllegalStateException("page size not applied");
        return c;
    }

    /** Creates a WAL-mode database with the table of {@link #newWalDatabase} and closes it: no WAL left. */
    static void createClosedWalDatabase(Path db, int pageSize) throws SQLException {
        try (Connection c = newWalDatabase(db, pageSize)) {
            exec(c, "INSERT INTO t(v) VALUES ('first')");
        }
    }

    static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) s.execute(q);
        }
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first row of a query as longs. */
    static List<Long> queryRow(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            List<Long> row = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.add(rs.getLong(i));
            return row;
        }
    }

    /** Inserts {@code count} rows, one autocommit transaction each; row i holds 1 + (i * 7919) % maxLen random bytes. */
    static void insertRows(Connection c, int count, int maxLen) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (int i = 0; i < count; i++) s.execute("INSERT INTO t(v) VALUES (randomblob(" + (1 + (i * 7919) % maxLen) + "))");
        }
    }

    /** Inserts one row of {@code length} random bytes in its own transaction. */
    static void insertBlob(Connection c, int length) throws SQLException {
        exec(c, "INSERT INTO t(v) VALUES (randomblob(" + length + "))");
    }

    /**
     * SQLite's own count of committed frames in the WAL (the "log" column of a PASSIVE checkpoint).
     * The checkpoint copies pages into the db file but does not change the WAL file.
     */
    static long committedFramesPerSqlite(Connection c) throws SQLException {
        return queryRow(c, "PRAGMA wal_checkpoint(PASSIVE)").get(1);
    }

    static Path walOf(Path db) {
        return db.resolveSibling(db.getFileName() + "-wal");
    }

    /** Copies the WAL bytes of an open database. */
    static byte[] walBytes(Path db) throws IOException {
        return Files.readAllBytes(walOf(db));
    }

    /** A digest of the table's content that SQLite computes, to compare two databases. */
    static List<Long> contentDigest(Connection c) throws SQLException {
        return queryRow(c, "SELECT count(*), max(id), total(length(v)), total(instr(hex(v), 'AB')) FROM t");
    }

    /**
     * What SQLite sees when {@code wal} sits beside a copy of {@code dbSnapshot} (a db file with no
     * WAL of its own): the content digest after SQLite recovers the WAL. Uses its own directory.
     */
    static List<Long> digestWithWal(Path dbSnapshot, byte[] wal, Path dir) throws IOException, SQLException {
        Files.createDirectories(dir);
        Path db = dir.resolve("copy.db");
        Files.copy(dbSnapshot, db);
        Files.write(walOf(db), wal);
        try (Connection c = open(db)) {
            if (!"ok".equals(queryString(c, "PRAGMA integrity_check"))) throw new IllegalStateException("integrity_check failed");
            return contentDigest(c);
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Writes bytes to a file and scans it from its first frame. */
    static WalScanner.Committed scan(Path file, byte[] wal) throws IOException {
        Files.write(file, wal);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            WalHeader h = WalScanner.readHeader(ch);
            return WalScanner.scanCommitted(ch, h, WalHeader.SIZE, h.checksum());
        }
    }

    /** Every frame SQLite would accept from the start, read with {@link WalFrameReader} (stops at the first bad one). */
    static List<WalFrameReader.Frame> framesUntilInvalid(byte[] wal) throws IOException {
        List<WalFrameReader.Frame> frames = new ArrayList<>();
        WalFrameReader r = WalFrameReader.fromStart(new java.io.ByteArrayInputStream(wal));
        try {
            for (WalFrameReader.Frame f; (f = r.next()) != null; ) frames.add(f);
        } catch (WalFormatException e) {
            // the end of the valid frames
        }
        return frames;
    }

    /** Byte offsets just past each commit frame, for a list of frames read from the start of a WAL. */
    static List<Long> commitEnds(List<WalFrameReader.Frame> frames, int pageSize) {
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).isCommit()) ends.add(WalHeader.SIZE + (long) (i + 1) * (WalFrameHeader.SIZE + pageSize));
        }
        return ends;
    }
}
