package dev.keel.fleet.branch;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Random;

/**
 * An application in its own process (a direct copy must not share a process with the source's
 * connections): commits transfers between accounts and appends a row per commit, with small automatic
 * checkpoints and, now and then, a RESTART or TRUNCATE checkpoint of its own, until it is killed.
 * Every committed state has {@code count(*) = max(id) = meta.n} and a constant total balance.
 */
public final class LedgerWriterMain {
    static final int ACCOUNTS = 50;
    static final long TOTAL = ACCOUNTS * 1000L;

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        Random random = new Random();
        try (Connection c = Db.open(db)) {
            Db.exec(c, "PRAGMA wal_autocheckpoint = 20");
            c.setAutoCommit(false);
            try (PreparedStatement row = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, randomblob(?))");
                 PreparedStatement move = c.prepareStatement("UPDATE acct SET bal = bal + ? WHERE id = ?");
                 PreparedStatement meta = c.prepareStatement("UPDATE meta SET n = ?")) {
                for (long n = 1; ; n++) {
                    row.setLong(1, n);
                    row.setInt(2, 100 + random.nextInt(3000));
                    row.executeUpdate();
                    int amount = random.nextInt(100);
                    move.setInt(1, -amount);
                    move.setInt(2, 1 + random.nextInt(ACCOUNTS));
                    move.executeUpdate();
                    move.setInt(1, amount);
                    move.setInt(2, 1 + random.nextInt(ACCOUNTS));
                    move.executeUpdate();
                    meta.setLong(1, n);
                    meta.executeUpdate();
                    c.commit();
                    if (n % 150 == 0) checkpoint(c, random.nextBoolean() ? "RESTART" : "TRUNCATE");
                }
            }
        }
    }

    private static void checkpoint(Connection c, String mode) throws SQLException {
        c.setAutoCommit(true);
        Db.exec(c, "PRAGMA wal_checkpoint(" + mode + ")");
        c.setAutoCommit(false);
    }

    /** The schema and starting balances the writer expects. */
    static void create(Path db) throws SQLException {
        try (Connection c = Db.open(db)) {
            Db.exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)",
                    "CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL)",
                    "CREATE TABLE meta (n INTEGER NOT NULL)", "INSERT INTO meta VALUES (0)",
                    "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < " + ACCOUNTS + ") "
                            + "INSERT INTO acct SELECT x, 1000 FROM k");
        }
    }
}
