package dev.keel.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An application writing to a SQLite database from several threads, each on its own connection, while
 * a replicator follows the database: inserts of varied size with an occasional update and delete.
 * {@link #rows(Path)} gives the content an end-to-end test compares after a restore.
 */
public final class WriterLoad implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    private WriterLoad() {
    }

    /** Creates the database in WAL mode with the table the writers use (idempotent). */
    public static void create(Path db) throws SQLException {
        try (Connection c = open(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, writer INTEGER, seq INTEGER, body BLOB)");
        }
    }

    /** An application connection: WAL mode, a busy timeout, synchronous=NORMAL. */
    public static Connection open(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.execute("PRAGMA journal_mode = wal");
            s.execute("PRAGMA synchronous = NORMAL");
        }
        return c;
    }

    /** Starts {@code writers} threads that commit one transaction each, then sleep {@code pause}. */
    public static WriterLoad start(Path db, int writers, Duration pause, long seed) throws SQLException {
        create(db);
        WriterLoad load = new WriterLoad();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Random random = new Random(seed * 31 + w);
            Thread t = new Thread(() -> load.write(db, writer, random, pause), "writer-" + w);
            t.setDaemon(true);
            load.threads.add(t);
        }
        load.threads.forEach(Thread::start);
        return load;
    }

    private void write(Path db, int writer, Random random, Duration pause) {
        try (Connection c = open(db);
             PreparedStatement insert = c.prepareStatement("INSERT INTO events (writer, seq, body) VALUES (?, ?, ?)");
             PreparedStatement update = c.prepareStatement("UPDATE events SET body = ? WHERE writer = ? AND seq = ?");
             PreparedStatement delete = c.prepareStatement("DELETE FROM events WHERE writer = ? AND seq = ?")) {
            for (long seq = 0; running; seq++) {
                byte[] body = new byte[random.nextInt(random.nextInt(10) == 0 ? 8000 : 400) + 1];
                random.nextBytes(body);
                insert.setInt(1, writer);
                insert.setLong(2, seq);
                insert.setBytes(3, body);
                insert.executeUpdate();
                if (seq > 10 && random.nextInt(8) == 0) {
                    update.setBytes(1, body);
                    update.setInt(2, writer);
                    update.setLong(3, random.nextLong(seq));
                    update.executeUpdate();
                }
                if (seq > 10 && random.nextInt(20) == 0) {
                    delete.setInt(1, writer);
                    delete.setLong(2, random.nextLong(seq));
                    delete.executeUpdate();
                }
                commits.incrementAndGet();
                if (!pause.isZero()) Thread.sleep(pause.toMillis());
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Transactions committed so far (autocommit statements counted once per loop round). */
    public long commits() {
        return commits.get();
    }

    /** Stops the writers and waits for them; throws what a writer failed with. */
    @Override
    public void close() {
        running = false;
        try {
            for (Thread t : threads) t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the writers", e);
        }
        Throwable e = failure.get();
        if (e != null) throw new AssertionError("a writer failed: " + e, e);
    }

    /** Every row of the writers' table, as text in id order (bodies by hash), for comparing restores. */
    public static List<String> rows(Path db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, writer, seq, body FROM events ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1) + "|" + rs.getInt(2) + "|" + rs.getLong(3) + "|" + java.util.Arrays.hashCode(rs.getBytes(4)));
            }
        }
        return out;
    }

    /** {@code PRAGMA integrity_check} of a database: "ok" when it is sound. */
    public static String integrityCheck(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
