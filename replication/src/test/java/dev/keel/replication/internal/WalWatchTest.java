package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file-system watch on real files: a WAL write wakes its database's driver, the wake-up stops that
 * database's wake-ups (a busy database's writes would otherwise each be handed on) but not its
 * neighbours', and re-arming makes its next write wake it again.
 */
class WalWatchTest {
    private static final long QUIET_MS = 300;

    @TempDir
    Path dir;

    @Test
    void aWakeUpStopsTheWatchUntilItIsRearmed() throws Exception {
        Path db = database("app.db");
        AtomicInteger wakes = new AtomicInteger();
        try (WalWatch.Registration watch = watched(db, wakes)) {
            append(db);
            awaitWakes(wakes, 1);
            for (int i = 0; i < 20; i++) append(db);
            Thread.sleep(QUIET_MS);
            assertThat(wakes.get()).as("writes after the wake-up, before the watch is re-armed").isEqualTo(1);

            assertThat(watch.rearm()).as("re-armed after the wake-up stopped it").isTrue();
            assertThat(watch.rearm()).as("already watched").isFalse();
            append(db);
            awaitWakes(wakes, 2);
        }
    }

    @Test
    void anotherDatabaseOfTheDirectoryIsWokenWhileTheBusyOneIsStopped() throws Exception {
        Path busy = database("busy.db");
        Path other = database("other.db");
        AtomicInteger busyWakes = new AtomicInteger();
        AtomicInteger otherWakes = new AtomicInteger();
        try (WalWatch.Registration busyWatch = watched(busy, busyWakes);
             WalWatch.Registration otherWatch = watched(other, otherWakes)) {
            append(busy);
            awaitWakes(busyWakes, 1);
            append(other);
            awaitWakes(otherWakes, 1);
            append(busy);
            append(other);
            Thread.sleep(QUIET_MS);
            assertThat(busyWakes.get()).as("both stopped").isEqualTo(1);
            assertThat(otherWakes.get()).isEqualTo(1);

            // every watcher of the directory stopped: its watch was cancelled, and a re-arm starts it again
            assertThat(otherWatch.rearm()).isTrue();
            append(busy);
            append(other);
            awaitWakes(otherWakes, 2);
            assertThat(busyWakes.get()).as("still stopped").isEqualTo(1);
            assertThat(busyWatch.rearm()).isTrue();
            append(busy);
            awaitWakes(busyWakes, 2);
        }
    }

    @Test
    void closingTheLastRegistrationEndsTheWakeUps() throws Exception {
        Path db = database("app.db");
        AtomicInteger wakes = new AtomicInteger();
        WalWatch.Registration watch = watched(db, wakes);
        watch.close();
        append(db);
        Thread.sleep(QUIET_MS);
        assertThat(wakes.get()).isZero();
        assertThat(watch.rearm()).as("a closed registration never watches again").isFalse();
    }

    private WalWatch.Registration watched(Path db, AtomicInteger wakes) {
        WalWatch.Registration r = WalWatch.onWalWrite(db, wakes::incrementAndGet);
        assumeTrue(r != WalWatch.Registration.NONE, "no native file-system watch here");
        return r;
    }

    private Path database(String name) throws IOException {
        Path db = dir.resolve(name);
        Files.write(db, new byte[4096]);
        Files.write(dir.resolve(name + "-wal"), new byte[32]);
        return db;
    }

    private static void append(Path db) throws IOException {
        Files.write(db.resolveSibling(db.getFileName() + "-wal"), new byte[4096], StandardOpenOption.APPEND);
    }

    private static void awaitWakes(AtomicInteger wakes, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (wakes.get() < expected) {
            if (System.nanoTime() > deadline) throw new AssertionError("woken " + wakes.get() + " times, expected " + expected);
            Thread.sleep(5);
        }
        assertThat(wakes.get()).isEqualTo(expected);
    }
}
