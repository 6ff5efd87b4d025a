package dev.keel.cli.replicate;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** An application writing one row every 20 ms into {@code t(v)} of a database, until closed. */
final class Rows implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger written = new AtomicInteger();
    private final Thread thread;
    private volatile Exception failure;

    private Rows(Path db) {
        thread = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
                for (int i = 0; !stop.get(); i++) {
                    s.execute("INSERT INTO t (v) VALUES ('" + db.getFileName() + " " + i + "')");
                    written.incrementAndGet();
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                failure = e;
            }
        }, "rows-" + db.getFileName());
        thread.start();
    }

    static Rows start(Path db) {
        return new Rows(db);
    }

    /** Waits until {@code more} rows were written after this call. */
    void await(int more) throws InterruptedException {
        int target = written.get() + more;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (written.get() < target) {
            if (failure != null) throw new AssertionError("the writer failed", failure);
            if (System.nanoTime() > deadline) throw new AssertionError("fewer than " + more + " rows written in 60 s");
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join();
        if (failure != null) throw new AssertionError("the writer failed", failure);
    }
}
