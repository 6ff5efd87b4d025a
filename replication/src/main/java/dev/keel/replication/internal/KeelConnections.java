package dev.keel.replication.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.BusyHandler;

/**
 * The SQL Keel runs on its own connections to an application's database: opening one configured as
 * Keel needs it, beginning a read, running a checkpoint, one statement. {@link DatabaseHandle} decides
 * when; this class only says how.
 */
final class KeelConnections {
    /** Pages: SQLite allocates a cache's pages in one block at first use, so this bounds what each database costs. */
    private static final int CACHE_PAGES = 8;

    private KeelConnections() {
    }

    /** The result of {@code PRAGMA wal_checkpoint}: busy flag, frames in the WAL, frames checkpointed. */
    record CheckpointResult(boolean busy, long walFrames, long checkpointed) {
        boolean complete() {
            return !busy && walFrames >= 0 && walFrames == checkpointed;
        }
    }

    /** A connection to {@code file} with Keel's settings; nothing is read from the file yet. */
    static Connection open(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = c.createStatement()) {
            BusyHandler.setHandler(c, PromptBusyHandler.INSTANCE);
            // Keel reads a few pages of its own table (checkpoints and snapshots bypass the cache): a small
            // page cache is enough (SQLite's default of 2 MB, times 10,000 databases, is not). Set before
            // the first statement that reads the file: SQLite allocates and touches a block of up to 20
            // pages (about 88 KB) at the cache's first use, bounded by the cache size set then.
            s.execute("PRAGMA cache_size = " + CACHE_PAGES);
            // Keel checkpoints only by its own policy, and its own rows need no fsync per commit. (Both
            // connections: the second one becomes the main one after a checkpoint.)
            s.execute("PRAGMA wal_autocheckpoint = 0");
            s.execute("PRAGMA synchronous = NORMAL");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Begins a read transaction on {@code c} that holds a snapshot: it reads a row of Keel's table. */
    static void beginRead(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN");
            try (ResultSet rs = s.executeQuery("SELECT COUNT(1) FROM " + table)) {
                rs.next();
            } catch (SQLException e) {
                s.execute("ROLLBACK");
                throw e;
            }
        }
    }

    /** Runs {@code PRAGMA wal_checkpoint(mode)} on {@code c}, which holds no transaction. */
    static CheckpointResult checkpoint(Connection c, String mode) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            rs.next();
            return new CheckpointResult(rs.getInt(1) != 0, rs.getLong(2), rs.getLong(3));
        }
    }

    /** Runs one statement that returns nothing. */
    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The first column of the first row {@code sql} returns; null when it returns none. */
    static String queryString(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
