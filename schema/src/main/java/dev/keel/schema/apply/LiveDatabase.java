package dev.keel.schema.apply;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.source.SqlErrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The database being migrated: opened without being created by accident, with a busy timeout, and
 * with transactions that turn SQLITE_BUSY into an error naming who holds the lock.
 */
public final class LiveDatabase implements AutoCloseable {
    private final Connection connection;
    private final String label;
    private final Path path;
    private final boolean owned;
    private boolean inTransaction;

    private LiveDatabase(Connection connection, Path path, String label, boolean owned) {
        this.connection = connection;
        this.path = path;
        this.label = label;
        this.owned = owned;
    }

    /** Opens {@code path}; a missing file is an error unless {@code create} is set. */
    public static LiveDatabase open(Path path, boolean create, Duration busyTimeout) {
        if (!create && !Files.exists(path)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "database does not exist", path.toString(),
                    "check the path, or pass --create (createIfMissing(true) in the API) to start from an empty database");
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        config.setOpenMode(org.sqlite.SQLiteOpenMode.READWRITE);
        if (create) config.setOpenMode(org.sqlite.SQLiteOpenMode.CREATE);
        try {
            Connection c = config.createConnection("jdbc:sqlite:" + path);
            LiveDatabase db = new LiveDatabase(c, path, path.toString(), true);
            db.verify();
            return db;
        } catch (SQLException e) {
            throw map(path, path.toString(), "cannot open the database", e);
        }
    }

    /** Wraps a connection an application already has (it stays open afterwards). */
    public static LiveDatabase wrap(Connection connection, String label) {
        return new LiveDatabase(connection, null, label, false);
    }

    public Connection connection() {
        return connection;
    }

    public String label() {
        return label;
    }

    private void verify() {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_schema")) {
            rs.next();
        } catch (SQLException e) {
            throw map(path, label, "cannot read the database", e);
        }
    }

    /** Current value of PRAGMA foreign_keys. */
    public boolean foreignKeys() throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA foreign_keys")) {
            return rs.next() && rs.getInt(1) != 0;
        }
    }

    /** Sets PRAGMA foreign_keys; SQLite ignores it inside a transaction, so call it outside one. */
    public void foreignKeys(boolean on) throws SQLException {
        execute("PRAGMA foreign_keys = " + (on ? "ON" : "OFF"));
    }

    /** BEGIN IMMEDIATE (write) or BEGIN (read), waiting for the busy timeout. */
    public void begin(boolean write) {
        try {
            execute(write ? "BEGIN IMMEDIATE" : "BEGIN");
            inTransaction = true;
        } catch (SQLException e) {
            throw map(path, label, "cannot start a transaction", e);
        }
    }

    public void commit() {
        try {
            execute("COMMIT");
            inTransaction = false;
        } catch (SQLException e) {
            rollback();
            throw map(path, label, "cannot commit; the migration was rolled back", e);
        }
    }

    /** Rolls back if a transaction is open; never throws (it runs while another error is on its way). */
    public void rollback() {
        if (!inTransaction) return;
        inTransaction = false;
        try {
            execute("ROLLBACK");
        } catch (SQLException ignored) {
            // SQLite already rolled back (some errors do that) or the connection is gone: nothing left to undo
        }
    }

    public void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    /** Maps a SQLite error on this database to a KeelException with a useful code and hint. */
    public KeelException error(String what, SQLException e) {
        return map(path, label, what, e);
    }

    private static KeelException map(Path path, String subject, String what, SQLException e) {
        String message = SqlErrors.message(e);
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode code = se.getResultCode();
            if (code == SQLiteErrorCode.SQLITE_BUSY || code == SQLiteErrorCode.SQLITE_LOCKED
                    || (code != null && code.name().startsWith("SQLITE_BUSY"))) {
                String holders = path == null ? "" : LockHolders.describe(path);
                return new KeelException(ErrorCode.IO, what + ": the database is locked"
                        + (holders.isEmpty() ? "" : " (held by " + holders + ")"), subject,
                        "another connection is writing; retry when it finishes, or raise the busy timeout", e);
            }
            if (code == SQLiteErrorCode.SQLITE_NOTADB) {
                return new KeelException(ErrorCode.BAD_INPUT, what + ": not a SQLite database", subject,
                        "check that the path points at a SQLite database file", e);
            }
            String name = code == null ? "" : code.name();
            if (name.startsWith("SQLITE_READONLY")) {
                return new KeelException(ErrorCode.IO, what + ": the database is read-only (" + message + ")", subject,
                        "Keel needs to write the database file and create its journal beside it: check the permissions of "
                                + "the file and of its directory, and that the file system is not mounted read-only", e);
            }
            if (name.startsWith("SQLITE_CANTOPEN") || name.startsWith("SQLITE_IOERR") || name.equals("SQLITE_FULL")
                    || name.equals("SQLITE_PERM")) {
                return new KeelException(ErrorCode.IO, what + ": " + message, subject,
                        "check the path, the permissions of the file and its directory (SQLite creates its journal there), "
                                + "and free disk space", e);
            }
        }
        return new KeelException(ErrorCode.FAILURE, what + ": " + message, subject, null, e);
    }

    @Override
    public void close() {
        if (!owned) return;
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing after an error: the first error is the one worth reporting
        }
    }
}
