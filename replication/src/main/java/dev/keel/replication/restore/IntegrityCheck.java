package dev.keel.replication.restore;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.sqlite.SQLiteJDBCLoader;

/**
 * Runs {@code PRAGMA integrity_check} on a closed database file. The file is opened immutable, so
 * SQLite neither writes to it nor creates {@code -wal}/{@code -shm} files beside it, and memory-mapped,
 * which makes the check several times faster than reading every page through SQLite's page cache.
 */
final class IntegrityCheck {
    private static final int MAX_PROBLEMS = 10;
    private static final AtomicBoolean PRELOADING = new AtomicBoolean();

    private IntegrityCheck() {
    }

    /**
     * Loads SQLite's driver and native library on a background thread (once per process), so that the
     * check at the end of a restore does not wait for it.
     */
    static void preload() {
        if (!PRELOADING.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> {
            try {
                SQLiteJDBCLoader.initialize();
            } catch (Exception | LinkageError e) {
                // the check itself loads the library again and reports what is wrong
            }
        }, "keel-sqlite-preload");
        t.setDaemon(true);
        t.start();
    }

    /** The problems SQLite reports; empty when the database is sound. */
    static List<String> problems(Path db) throws SQLException {
        String url = "jdbc:sqlite:file:" + db.toAbsolutePath().toUri().getRawPath() + "?immutable=1";
        List<String> problems = new ArrayList<>();
        long size = db.toFile().length();
        try (Connection c = DriverManager.getConnection(url);
             Statement s = c.createStatement()) {
            s.execute("PRAGMA mmap_size=" + size);
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check(" + MAX_PROBLEMS + ")")) {
                while (rs.next()) {
                    String row = rs.getString(1);
                    if (!"ok".equals(row)) problems.add(row);
                }
            }
        }
        return problems;
    }
}
