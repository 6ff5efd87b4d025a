package dev.keel.bench.storage.soak;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The application: transactions of 100 rows into a WAL-mode database; counts the rows it committed. */
final class Writer implements AutoCloseable {
    static final int ROWS_PER_TRANSACTION = 100;
    private final Connection connection;
    private volatile long committedRows;

    Writer(Path db) throws SQLException {
        connection = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA busy_timeout=10000");
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
        }
    }

    /** {@code n} transactions, {@code gapMillis} apart. */
    void transactions(int n, long gapMillis) throws SQLException, InterruptedException {
        for (int i = 0; i < n; i++) {
            if (i > 0) Thread.sleep(gapMillis);
            transaction();
        }
    }

    void transaction() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.executeUpdate("WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM k WHERE x<" + ROWS_PER_TRANSACTION
                    + ") INSERT INTO t(payload) SELECT hex(randomblob(32)) FROM k");
        }
        committedRows += ROWS_PER_TRANSACTION;
    }

    long committedRows() {
        return committedRows;
    }

    /** Rows 1..n exactly (count, min and max id) in {@code db}: -1 when they are not, else n. */
    static long contiguousRows(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*), coalesce(min(id), 1), coalesce(max(id), 0) FROM t")) {
            long count = r.getLong(1);
            return r.getLong(2) == 1 && r.getLong(3) == count ? count : -1;
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
