package dev.keel.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Tells SQLite databases from other files through SQLite itself: a fleet may be selected inside an
 * application that has some of its databases open, and closing a plain Java descriptor on such a
 * file would drop SQLite's POSIX locks in this process. SQLite's own close keeps them.
 */
final class DatabaseFiles {
    /** The smallest complete database: one 512-byte page. */
    private static final long MIN_SIZE = 512;

    private DatabaseFiles() {
    }

    /** True when the file is a regular file (links followed) of at least one page that SQLite reads as a database. */
    static boolean isDatabase(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) < MIN_SIZE) return false;
        } catch (IOException e) {
            return false;
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(1_000);
        try (Connection c = config.createConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA schema_version"); // reads the header: SQLITE_NOTADB for anything else
            return true;
        } catch (SQLException e) {
            // only "not a database" says it is none; a busy, locked or damaged database is one, and its
            // migration reports what is wrong with it
            return !(e instanceof SQLiteException se && se.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB);
        }
    }
}
