package dev.keel.replication.internal;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.format.DatabaseHeader;
import dev.keel.format.WalFormatException;
import dev.keel.replication.spi.LocalPaths;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Keel's hold on one SQLite database: one connection that keeps the long-lived read transaction (so
 * nobody checkpoints frames Keel has not copied yet) and, with it released, runs checkpoints and Keel's
 * own small writes; a second connection open only during a checkpoint, whose read holds the WAL while
 * the first one's is released (see {@link Checkpointer}); and
 * a read-only channel on the db file that stays open as long as the connection does. Closing any
 * descriptor on the db file drops every POSIX lock this process holds on it, so that channel is opened
 * once and closed only after the connection (and SQLite keeps the db file descriptor of a connection
 * closed beside another one, for reuse). The WAL is read through a channel opened for one round and
 * closed after it ({@link #closeWal()}): SQLite takes no lock on the {@code -wal} file, so closing it
 * drops none. Descriptors held between rounds: the connection's db file, WAL and shared-memory file,
 * plus the db channel, and once a checkpoint ran the db file descriptor SQLite kept from the second
 * connection; 4 or 5 per database (see {@code DescriptorLimit}).
 *
 * <p>A handle can let go of the database ({@link #park()}: everything closed, the read transaction
 * ended) and take it back later ({@link #reopen()}); what changed meanwhile is for the monitor's
 * continuity check to judge.
 */
final class DatabaseHandle implements AutoCloseable {
    /** Handles whose connections stay open until the process exits (see {@link #leaveToExit()}). */
    private static final Queue<DatabaseHandle> LEFT_TO_EXIT = new ConcurrentLinkedQueue<>();
    static final String SEQ_TABLE = "_keel_seq";
    static final String LOCK_TABLE = "_keel_lock";
    private static final Object MISSING = new Object();
    private static final int DEFAULT_PAGE_SIZE = 4096;

    private final Path db;
    /** The file {@code db} names, symbolic links followed: SQLite keeps -wal and -shm beside it, not beside the link. */
    private Path file;
    private Path walPath;
    private FileChannel dbChannel;
    /** The identity (device and inode) of the file at the db path when it was opened. */
    private Object dbKey;
    private boolean open;
    /** Let go of on purpose (see {@link #park()}); not a failure to open. */
    private boolean parked;
    private Connection connection;
    private FileChannel walChannel;
    private boolean readLocked;
    /** Keel's second connection, open only during a checkpoint (see {@link #beginFence()}). */
    private Connection fence;
    private int pageSize;
    /** The page of Keel's sequence table: the only page Keel's own write changes. */
    private long seqPage;

    private DatabaseHandle(Path db) {
        this.db = db;
    }

    /**
     * Opens the database, switches it to WAL mode, creates Keel's tables, makes sure the WAL holds a
     * frame and takes the read transaction. Throws a {@link KeelException} when the file is missing or
     * is not a SQLite database.
     */
    static DatabaseHandle open(Path db) {
        DatabaseHandle handle = new DatabaseHandle(db);
        handle.openFiles();
        return handle;
    }

    /**
     * A handle on a database that is not opened yet, parked from the start: the replicator holds more
     * databases than the descriptor budget allows, so this one waits for a place, and its first round
     * opens it ({@link #reopen()}) and checks it then. Opening it now only to let go of it at once would
     * cost an open, Keel's tables and SQLite's checkpoint on close for nothing. Only the file's existence
     * is checked (with a stat: no descriptor is opened and closed on a file SQLite may hold in this process).
     */
    static DatabaseHandle unopened(Path db) {
        requireDatabaseFile(db);
        DatabaseHandle handle = new DatabaseHandle(db);
        try {
            handle.dbKey = fileKey(db);
            if (handle.dbKey == MISSING) throw notFound(db); // deleted since the check above
        } catch (IOException e) {
            handle.dbKey = null; // unknown: the take-back then cannot tell a replacement, and opens what is there
        }
        handle.follow(LocalPaths.followLinks(db));
        handle.parked = true;
        return handle;
    }

    /** Checks that the database file exists, as {@link #open} does first: before anything else is created for it. */
    static void requireDatabaseFile(Path db) {
        if (!Files.isRegularFile(db)) throw notFound(db);
    }

    private static KeelException notFound(Path db) {
        return new KeelException(ErrorCode.NOT_FOUND, "database does not exist", db.toString(),
                "create the database first (the application does), or fix the path in the config");
    }

    private void openFiles() {
        requireDatabaseFile(db);
        try {
            // The identity is read before the channel is opened: if the file is replaced in between,
            // the next check sees a new identity and opens the files again.
            dbKey = fileKey(db);
            follow(LocalPaths.followLinks(db));
            dbChannel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot open the database: " + e.getMessage(), db.toString(),
                    "check that keel may read the file", e);
        }
        try {
            checkHeader();
            connect();
            open = true;
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /**
     * Why the file at the database's path is no longer the one this handle reads (another database was
     * moved or copied over it, or it was deleted), or null when it still is. SQLite's connections and
     * Keel's channels stay on the old file, so nothing written to the new one would ever be replicated.
     * A WAL deleted under an unchanged database file is not followed: the application's connections
     * keep using the old WAL through the shared wal-index, and a connection opening a new WAL beside
     * them would split the database in two.
     */
    String replacement() {
        if (!open && !parked) return "the database file was replaced, and opening the new one failed";
        try {
            Object now = fileKey(db);
            if (now == MISSING) return "the database file was deleted";
            if (dbKey != null && !dbKey.equals(now)) return "the database file was replaced by another file";
            return null;
        } catch (IOException e) {
            return null; // cannot tell (permissions changed?): keep following the file held
        }
    }

    /** False after {@link #close()}, while parked, or while opening a replacement file failed. */
    boolean isOpen() {
        return open;
    }

    /** True while let go of by {@link #park()} and not taken back. */
    boolean isParked() {
        return parked;
    }

    /**
     * Lets go of the database: ends the read transaction and closes the connection, then the channels
     * (in that order, so SQLite's locks are never dropped under it). Nothing is held afterwards; the
     * page size and the identity of the file stay known. {@link #reopen()} takes it back.
     */
    void park() {
        closeQuietly();
        open = false;
        parked = true;
        connection = null;
        walChannel = null;
        dbChannel = null;
        readLocked = false;
    }

    /** The identity of the database file held (or last held): device and inode, null where there is none. */
    Object fileKey() {
        return dbKey;
    }

    /** The identity of the file at the database's path now ({@link #MISSING} when there is none). */
    Object currentFileKey() throws IOException {
        return fileKey(db);
    }

    /**
     * Closes the old files and opens what is at the database's path now; throws like {@link #open}
     * (the handle then stays closed and {@link #replacement()} says so, so the next round tries again).
     */
    void reopen() {
        closeQuietly();
        open = false;
        parked = false;
        connection = null;
        walChannel = null;
        dbChannel = null;
        readLocked = false;
        openFiles();
    }

    /** The file's device and inode ({@link #MISSING} when it does not exist, null where the file system has none). */
    private static Object fileKey(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return MISSING;
        }
    }

    private void checkHeader() {
        try {
            if (dbChannel.size() == 0) return; // a new, empty database: SQLite writes the header below
            DatabaseHeader.read(dbChannel);
        } catch (WalFormatException e) {
            throw new KeelException(ErrorCode.BAD_INPUT, "not a SQLite database: " + e.getMessage(), db.toString(),
                    "point keel at the application's database file (not a WAL, journal or backup file)");
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot read the database header: " + e.getMessage(), db.toString(),
                    "check that keel may read the file", e);
        }
    }

    private void connect() {
        try {
            connection = KeelConnections.open(file);
            try (Statement s = connection.createStatement()) {
                String mode = KeelConnections.queryString(s, "PRAGMA journal_mode = wal");
                if (!"wal".equalsIgnoreCase(mode)) {
                    throw new KeelException(ErrorCode.FAILURE, "cannot switch the database to WAL mode (it stays in "
                            + mode + " mode)", db.toString(), "close other connections that use another journal mode and retry");
                }
                pageSize = Integer.parseInt(KeelConnections.queryString(s, "PRAGMA page_size"));
                s.execute("CREATE TABLE IF NOT EXISTS " + SEQ_TABLE + " (id INTEGER PRIMARY KEY, seq INTEGER)");
                s.execute("CREATE TABLE IF NOT EXISTS " + LOCK_TABLE + " (id INTEGER)");
                seqPage = Long.parseLong(KeelConnections.queryString(s, "SELECT rootpage FROM sqlite_schema WHERE name = '" + SEQ_TABLE + "'"));
            }
            // A write of our own guarantees a WAL with a frame in it, so the read transaction below reads
            // from the WAL and pins it (a reader of a fully checkpointed WAL would not stop a restart).
            // A WAL that already holds frames is left alone: a restart of an idle fleet then writes
            // nothing, so it uploads nothing. Should those frames all be checkpointed already, a restart
            // by the application before Keel's next checkpoint is seen by the continuity check and
            // starts a new generation; Keel's own checkpoint writes a frame and pins the WAL again.
            if (!walHoldsAFrame()) bumpSeq();
            acquireReadLock();
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.IO, "cannot open the database with SQLite: " + e.getMessage(), db.toString(),
                    "check that the file is a SQLite database keel may write to, and that its directory is writable", e);
        }
    }

    private boolean walHoldsAFrame() {
        try {
            return Files.size(walPath()) >= 32 + 24 + pageSize;
        } catch (IOException e) {
            return false; // none yet
        }
    }

    Path path() {
        return db;
    }

    /** The database file held (the path with its links followed). */
    Path file() {
        return file;
    }

    /** The WAL beside the file held; made once per file (each idle check of a fleet asks for it). */
    Path walPath() {
        return walPath;
    }

    private void follow(Path target) {
        file = target;
        walPath = target.resolveSibling(target.getFileName() + "-wal");
    }

    /** The page size read at the first open; SQLite's default before that (only the busy-round heuristic asks then). */
    int pageSize() {
        return pageSize > 0 ? pageSize : DEFAULT_PAGE_SIZE;
    }

    /**
     * The WAL, through a read-only channel opened on first use in a round; {@link #closeWal()} closes it
     * at the end of the round, so an idle database holds no descriptor of Keel's own on its WAL.
     */
    FileChannel wal() throws IOException {
        if (walChannel == null) walChannel = FileChannel.open(walPath(), StandardOpenOption.READ);
        return walChannel;
    }

    /** Closes the WAL channel of this round (harmless to SQLite: it takes no lock on the -wal file). */
    void closeWal() {
        FileChannel ch = walChannel;
        walChannel = null;
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // read-only: nothing to lose
        }
    }

    FileChannel dbFile() {
        return dbChannel;
    }

    /** Starts the read transaction that keeps other connections from checkpointing past Keel's copy. */
    void acquireReadLock() throws SQLException {
        if (readLocked) return;
        KeelConnections.beginRead(connection, SEQ_TABLE);
        readLocked = true;
    }

    /**
     * Begins a read transaction on Keel's second connection (opened on first use in a checkpoint). While
     * the main connection releases its own to checkpoint, this one keeps the WAL from restarting over
     * frames Keel has not copied; begun again on a fully checkpointed WAL, it lets the WAL restart once
     * and keeps any frame after that from being checkpointed (see {@link Checkpointer}).
     */
    void beginFence() throws SQLException {
        if (fence == null) fence = KeelConnections.open(file);
        KeelConnections.beginRead(fence, SEQ_TABLE);
    }

    /** Ends the second connection's read transaction (the connection stays open for the checkpoint). */
    void endFence() throws SQLException {
        KeelConnections.execute(fence, "ROLLBACK");
    }

    /** A PASSIVE checkpoint run by the second connection, outside any transaction, while the main one may hold the write lock. */
    KeelConnections.CheckpointResult checkpointOnFence() throws SQLException {
        return KeelConnections.checkpoint(fence, "PASSIVE");
    }

    /**
     * Closes the second connection (its read, if any, ends with it). SQLite keeps its database file
     * descriptor for the next connection this process opens on the file: closing it would drop the
     * process's locks.
     */
    void closeFence() {
        Connection c = fence;
        fence = null;
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // its read transaction ends with it
        }
    }

    void releaseReadLock() throws SQLException {
        if (!readLocked) return;
        readLocked = false;
        KeelConnections.execute(connection, "ROLLBACK");
    }

    /** Runs a checkpoint; the caller released the read lock. */
    KeelConnections.CheckpointResult checkpoint(String mode) throws SQLException {
        return KeelConnections.checkpoint(connection, mode);
    }

    /**
     * Takes SQLite's write lock (waiting up to the busy timeout; the caller released the read lock): while
     * it is held, nobody appends to or restarts the WAL. End it with {@link #commitWrite()} or {@link #rollbackWrite()}.
     */
    void beginWrite() throws SQLException {
        KeelConnections.execute(connection, "BEGIN IMMEDIATE");
    }

    /** Inside {@link #beginWrite()}: a write that makes SQLite restart the WAL when it was fully checkpointed. */
    void writeSeq() throws SQLException {
        KeelConnections.execute(connection, "INSERT INTO " + SEQ_TABLE + " (id, seq) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET seq = seq + 1");
    }

    void commitWrite() throws SQLException {
        KeelConnections.execute(connection, "COMMIT");
    }

    void rollbackWrite() {
        try {
            KeelConnections.execute(connection, "ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction was open
        }
    }

    /** The page Keel's own write ({@link #writeSeq()}) changes: its table's one page. */
    long seqPage() {
        return seqPage;
    }

    /** One write of Keel's own, in its own transaction (the read transaction, if held, is taken again after it). */
    void bumpSeq() throws SQLException {
        boolean wasLocked = readLocked;
        releaseReadLock();
        try {
            beginWrite();
            try {
                writeSeq();
                commitWrite();
            } catch (SQLException e) {
                rollbackWrite();
                throw e;
            }
        } finally {
            if (wasLocked) acquireReadLock();
        }
    }

    @Override
    public void close() {
        open = false;
        parked = false;
        closeQuietly();
    }

    /**
     * Marks the handle closed but leaves SQLite's connection, its read transaction and the channels for
     * the operating system to close when the process exits. SQLite, closing the last connection to a
     * database, checkpoints the whole WAL into the database file and removes the WAL: the next start would
     * find a WAL with a new header and could not tell it from a checkpoint run by another process, so a
     * clean restart would begin a new generation. Left open, the WAL stays as the shadow last saw it, and
     * SQLite recovers it at the next open as after any exit. Only for a process about to exit.
     */
    void leaveToExit() {
        open = false;
        parked = false;
        // Held until exit: unreachable channels would be closed by their cleaners, which drops SQLite's locks.
        LEFT_TO_EXIT.add(this);
    }

    /** Closes the connections first and the channels last, so SQLite's locks are never dropped under it. */
    private void closeQuietly() {
        closeFence();
        try {
            releaseReadLock();
        } catch (SQLException | RuntimeException ignored) {
            // closing anyway
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        for (FileChannel ch : new FileChannel[] {walChannel, dbChannel}) {
            if (ch == null) continue;
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
