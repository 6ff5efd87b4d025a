package dev.keel.replication.restore;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code PRAGMA integrity_check} on a closed database file. The file is opened immutable, so
 * SQLite neither writes to it nor creates {@code -wal}/{@code -shm} files beside it.
 */
final class IntegrityCheck {
    private static final int MAX_PROBLEMS = 10;

    private IntegrityCheck() {
    }

    /** The problems SQLite reports; empty when the database is sound. */
    static List<String> problems(Path db) throws SQLException {
        String url = "jdbc:sqlite:file:" + db.toAbsolutePath().toUri().getRawPath() + "?immutable=1";
        List<String> problems = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA integrity_check(" + MAX_PROBLEMS + ")")) {
            while (rs.next()) {
                String row = rs.getString(1);
                if (!"ok".equals(row)) problems.add(row);
            }
        }
        return problems;
    }
}
