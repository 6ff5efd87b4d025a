package dev.keel.cli.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.replicate.KeelProcess;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keel restore -f} as a process, following a primary that Keel replicates (in this JVM) to a
 * directory replica while the application commits a ledger of transfers. Readers in other processes
 * than the follower (a read-only sqlite-jdbc connection here, and the sqlite3 command when it is
 * installed) read the copy all along: every read sees the ledger's constant total. The follower is
 * killed with SIGKILL mid-run and started again; it converges to the primary's rows, the copy passes
 * integrity_check, and SIGTERM ends it with status 0.
 */
@Timeout(300)
class FollowCommandTest {
    private static final int ACCOUNTS = 50;
    private static final long TOTAL = ACCOUNTS * 1000L;
    private static final Duration FOLLOWER_PATIENCE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void readersOfTheCopySeeOnlyWholeTransactionsAndAFollowerKilledMidRunConvergesWhenStartedAgain() throws Exception {
        Path db = dir.resolve("primary.db");
        Path replica = dir.resolve("replica");
        Path copy = dir.resolve("copy.db");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA busy_timeout=10000");
            s.execute("CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
            s.execute("CREATE TABLE transfers(id INTEGER PRIMARY KEY, src INTEGER, dst INTEGER, amount INTEGER, note TEXT)");
            s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM n WHERE x<" + ACCOUNTS + ")"
                    + " INSERT INTO accounts SELECT x, 1000 FROM n");
        }
        DatabaseConfig config = new DatabaseConfig(db, null, Duration.ofMillis(100), null, 0, 0, List.of(
                new ReplicaConfig("dir", new ReplicaStorage.File(replica), Duration.ofMillis(100), null, null, null, null)));
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> bad = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        String[] args = {"restore", "-o", copy.toString(), "-f", "-follow-interval", "100ms", "file://" + replica};
        try (Replicator primary = Replicator.configure().databases(List.of(config)).start()) {
            Thread writer = new Thread(() -> transfers(db, stop, bad), "ledger-writer");
            writer.start();
            KeelProcess first = KeelProcess.start(args);
            first.await("following", FOLLOWER_PATIENCE);
            Thread reader = new Thread(() -> read(copy, stop, bad, reads), "reader");
            reader.start();
            Process sqlite3 = sqlite3Reader(copy, dir.resolve("sqlite3.out"));
            Thread.sleep(3000);
            first.kill(); // SIGKILL, wherever it is
            Thread.sleep(1000);
            KeelProcess second = KeelProcess.start(args);
            second.await("following", FOLLOWER_PATIENCE);
            Thread.sleep(3000);
            stop.set(true);
            writer.join();
            primary.sync();
            long want = count(db, "transfers", false);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (count(copy, "transfers", true) != want) {
                assertThat(System.nanoTime()).as("the follower did not converge:\n" + second.log()).isLessThan(deadline);
                Thread.sleep(100);
            }
            reader.join();
            if (sqlite3 != null) {
                sqlite3.destroy();
                sqlite3.waitFor(30, TimeUnit.SECONDS);
                checkSqlite3Reads(dir.resolve("sqlite3.out"), bad);
            }
            assertThat(second.stop()).as(second.log()).isZero(); // SIGTERM
            assertThat(second.log()).contains("stopped at");
            System.out.println("reads: " + reads.get() + "\nfirst follower:\n" + first.log() + "second follower:\n" + second.log());
        }
        assertThat(bad).as("reads that saw something else than a committed state").isEmpty();
        assertThat(reads.get()).isGreaterThan(10);
        assertThat(query(copy, "PRAGMA integrity_check")).isEqualTo("ok");
        assertThat(query(copy, "SELECT group_concat(id || ':' || balance) FROM accounts"))
                .isEqualTo(query(db, "SELECT group_concat(id || ':' || balance) FROM accounts"));
        assertThat(query(copy, "SELECT sum(amount) || '/' || count(*) FROM transfers"))
                .isEqualTo(query(db, "SELECT sum(amount) || '/' || count(*) FROM transfers"));
    }

    private static void transfers(Path db, AtomicBoolean stop, ConcurrentLinkedQueue<String> bad) {
        Random random = new Random();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=10000");
            c.setAutoCommit(false);
            while (!stop.get()) {
                int src = 1 + random.nextInt(ACCOUNTS), dst = 1 + random.nextInt(ACCOUNTS), amount = 1 + random.nextInt(50);
                s.execute("UPDATE accounts SET balance = balance - " + amount + " WHERE id = " + src);
                s.execute("UPDATE accounts SET balance = balance + " + amount + " WHERE id = " + dst);
                s.execute("INSERT INTO transfers(src, dst, amount, note) VALUES (" + src + ", " + dst + ", " + amount
                        + ", '" + "x".repeat(random.nextInt(300)) + "')");
                c.commit();
                Thread.sleep(5);
            }
        } catch (Exception e) {
            bad.add("writer failed: " + e);
        }
    }

    /** Reads the copy read-only, each read in a fresh connection or the same one, until stopped. */
    private static void read(Path copy, AtomicBoolean stop, ConcurrentLinkedQueue<String> bad, AtomicLong reads) {
        Connection c = null;
        try {
            while (!stop.get()) {
                if (c == null) c = readOnly(copy);
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT sum(balance), count(*) FROM accounts")) {
                    long sum = rs.getLong(1);
                    if (sum != TOTAL || rs.getLong(2) != ACCOUNTS) bad.add("read total " + sum + " of " + rs.getLong(2) + " accounts");
                    reads.incrementAndGet();
                } catch (SQLException e) {
                    // a hot journal left by the killed follower: a read-only reader refuses, never reads torn pages
                    if (!String.valueOf(e.getMessage()).contains("READONLY")) bad.add("read failed: " + e.getMessage());
                }
                if (reads.get() % 20 == 0) { // and reopen now and then: the copy may be a new file
                    c.close();
                    c = null;
                }
                Thread.sleep(2);
            }
        } catch (Exception e) {
            bad.add("reader failed: " + e);
        } finally {
            try {
                if (c != null) c.close();
            } catch (SQLException ignored) {
                // the test is over
            }
        }
    }

    /** A shell loop running the sqlite3 command against the copy, one line per read; null when sqlite3 is not installed. */
    private static Process sqlite3Reader(Path copy, Path out) throws IOException {
        if (!Files.isExecutable(Path.of("/usr/bin/sqlite3")) && !Files.isExecutable(Path.of("/usr/local/bin/sqlite3"))) return null;
        String loop = "while true; do sqlite3 -readonly -cmd '.timeout 10000' '" + copy
                + "' 'SELECT sum(balance) || \" \" || count(*) FROM accounts' 2>&1; sleep 0.01; done";
        return new ProcessBuilder("sh", "-c", "exec sh -c \"$0\"", loop).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    private static void checkSqlite3Reads(Path out, ConcurrentLinkedQueue<String> bad) throws IOException {
        List<String> lines = Files.readAllLines(out);
        long good = 0;
        for (String line : lines) {
            if (line.equals(TOTAL + " " + ACCOUNTS)) {
                good++;
            } else if (!line.contains("readonly") && !line.contains("unable to open") && !line.isBlank()) {
                bad.add("sqlite3 read: " + line);
            }
        }
        System.out.println("sqlite3 reads: " + good + " of " + lines.size() + " lines");
        assertThat(good).as("sqlite3 reads").isGreaterThan(5);
    }

    static Connection readOnly(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db.toUri().getRawPath() + "?mode=ro");
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
        }
        return c;
    }

    private static long count(Path db, String table, boolean readOnly) throws SQLException {
        try (Connection c = readOnly ? readOnly(db) : DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            return rs.getLong(1);
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("READONLY")) return -1;
            throw e;
        }
    }

    private static String query(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db.toUri().getRawPath() + "?mode=ro");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.getString(1);
        }
    }
}
