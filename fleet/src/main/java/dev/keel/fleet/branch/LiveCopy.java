package dev.keel.fleet.branch;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Locale;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Copies a live database with SQLite's online backup API in a single step: the whole copy is read
 * under one read transaction, so it is one committed state of the source, and in WAL mode that
 * transaction does not block the source's writers (a rollback-journal source's writers wait while it
 * runs: their commit needs every reader gone). The source is only ever opened read-only through
 * SQLite, never with Java I/O, so no lock another connection of this process holds on it is dropped.
 * The copy keeps the source's page images, header and so its journal mode.
 */
final class LiveCopy {
    /** Pause between retries while the source is locked (rollback mode: a writer is committing). */
    private static final int BUSY_SLEEP_MS = 100;
    private static final int BUSY_RETRIES = 300;

    private LiveCopy() {
    }

    /**
     * Copies {@code source} to the new file {@code dest}; with {@code direct}, a WAL-mode source is read
     * file by file ({@link DirectCopy}), falling back to the online backup when that cannot pin a state.
     */
    static BranchOrigin.Live copy(Path source, Path dest, boolean direct) {
        String mode = journalMode(source);
        if (direct && mode.equals("wal")) {
            try {
                BranchOrigin.Live copied = DirectCopy.copy(source, dest);
                if (copied != null) return copied;
                Files.deleteIfExists(dest);
            } catch (SQLException e) {
                throw failure(e, source, dest);
            } catch (IOException e) {
                throw new KeelException(ErrorCode.IO, "cannot copy the database: " + e.getMessage(), source.toString(),
                        "check that the file is readable and the branch's directory writable", e);
            }
        }
        try (Connection out = DriverManager.getConnection("jdbc:sqlite:" + dest)) {
            try (Statement s = out.createStatement()) {
                // The file is fsynced once when it is complete; SQLite's own journal and syncs add nothing to a
                // file nobody else can see yet, and a small cache writes pages straight through.
                s.execute("PRAGMA journal_mode=OFF");
                s.execute("PRAGMA synchronous=OFF");
                s.execute("PRAGMA cache_size=16");
            }
            Instant at = Instant.now();
            int rc = ((SQLiteConnection) out).getDatabase().restore("main", readOnlyUri(source), null, BUSY_SLEEP_MS,
                    BUSY_RETRIES, -1);
            if (rc != 0) throw new SQLException("the online backup ended with SQLite result code " + rc, null, rc);
            return new BranchOrigin.Live(at, mode);
        } catch (SQLException e) {
            throw failure(e, source, dest);
        }
    }

    /**
     * The source's journal mode, read through a read-only connection; also proves that the file exists
     * and is a SQLite database before anything is written.
     */
    static String journalMode(Path source) {
        if (!Files.exists(source)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "the source database does not exist", source.toString(),
                    "check the path given to --from, or give a replica URL");
        }
        if (!Files.isRegularFile(source)) {
            throw new KeelException(ErrorCode.BAD_INPUT, "the source is not a regular file", source.toString(),
                    "give --from a SQLite database file");
        }
        try (Connection c = openReadOnly(source); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            String mode = rs.getString(1).toLowerCase(Locale.ROOT);
            try (ResultSet v = s.executeQuery("PRAGMA schema_version")) {
                v.next(); // reads page 1: fails here for a file that is not a database
            }
            return mode;
        } catch (SQLException e) {
            throw failure(e, source, null);
        }
    }

    static Connection openReadOnly(Path db) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(BUSY_SLEEP_MS * BUSY_RETRIES);
        return DriverManager.getConnection("jdbc:sqlite:" + db, config.toProperties());
    }

    /** A {@code file:} URI SQLite opens read-only, with every special character of the path escaped. */
    static String readOnlyUri(Path db) {
        return "file:" + db.toAbsolutePath().toUri().getRawPath() + "?mode=ro";
    }

    /** A SQLite failure as a user-facing error naming the file it concerns. */
    static KeelException failure(SQLException e, Path source, Path dest) {
        SQLiteErrorCode code = e instanceof SQLiteException se ? se.getResultCode() : null;
        int primary = code == null ? e.getErrorCode() & 0xff : code.code & 0xff;
        String message = String.valueOf(e.getMessage());
        if (primary == SQLiteErrorCode.SQLITE_NOTADB.code || primary == SQLiteErrorCode.SQLITE_CORRUPT.code) {
            return new KeelException(ErrorCode.BAD_INPUT, "the source is not a SQLite database (or is damaged): " + message,
                    source.toString(), "give --from a SQLite database file", e);
        }
        if (primary == SQLiteErrorCode.SQLITE_BUSY.code || primary == SQLiteErrorCode.SQLITE_LOCKED.code) {
            return new KeelException(ErrorCode.IO, "the source database stayed locked: " + message, source.toString(),
                    "a rollback-journal database is locked while a writer commits; retry, or put it in WAL mode", e);
        }
        if (primary == SQLiteErrorCode.SQLITE_FULL.code || primary == SQLiteErrorCode.SQLITE_IOERR.code) {
            return new KeelException(ErrorCode.IO, "cannot write the branch: " + message,
                    dest == null ? source.toString() : dest.getParent().toString(), "check free space and permissions", e);
        }
        return new KeelException(ErrorCode.IO, "cannot copy the database: " + message, source.toString(),
                "check that the file is readable and its directory writable (SQLite needs its -shm file in WAL mode)", e);
    }
}
