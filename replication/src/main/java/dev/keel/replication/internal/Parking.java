package dev.keel.replication.internal;

import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One database's place in the {@link HoldBudget} and, while it is parked, what its files looked like
 * when Keel let go of it. The monitor calls it under its lock; what it finds is returned as values
 * (changed or not; on a take-back, why the generation may not continue) for the monitor's continuity
 * check to act on.
 */
final class Parking {
    private final Path db;
    private final DatabaseHandle handle;
    private final HoldBudget budget;
    /** Compares the WAL once a racy stamp settles (see {@link ParkedStamp}); used only while parked. */
    private final WalProbe probe = new WalProbe();
    /** True while this database counts as held in the budget. */
    private boolean counted;
    /** The files as Keel let go of them; null while held. */
    private ParkedStamp stamp;
    /** Why the next take-back cannot continue the generation even if the WAL header reads the same; null when it may. */
    private String broken;

    /** {@code holdsPlace}: the database was opened on a place of the budget (else it starts parked, unopened). */
    Parking(Path db, DatabaseHandle handle, HoldBudget budget, boolean holdsPlace) {
        this.db = db;
        this.handle = handle;
        this.budget = budget;
        this.counted = holdsPlace;
    }

    HoldBudget budget() {
        return budget;
    }

    /** True when a place is free for a take-back now; otherwise this database counts as waiting for one. */
    boolean placeFree() {
        return budget.placeFree(this);
    }

    /** Gives the place back (parked or closed). */
    void release() {
        if (counted) budget.release();
        counted = false;
    }

    /** Gives the place back and stops waiting for one: the database is closed. */
    void close() {
        release();
        budget.forget(this);
    }

    /**
     * Closes everything of the database and records its files. {@code shadowHeader} is the WAL header the
     * shadow continues (null when there is no shadow), {@code probeAt} the first WAL offset the last scan
     * did not accept.
     */
    void letGo(byte[] shadowHeader, long probeAt) throws IOException {
        probe.reset();
        handle.park();
        release();
        ParkedStamp now = ParkedStamp.of(db, handle.walPath());
        broken = null;
        if (shadowHeader != null && (now.walMissing() || !walHeaderIs(shadowHeader))) {
            // SQLite checkpoints and removes (or restarts) the WAL when the last connection closes: Keel's
            // was the last one, so frames may have reached the database file that no shadow holds.
            broken = "SQLite checkpointed the WAL as Keel let go of the idle database (no other connection had it open)";
        }
        stamp = now;
        if (now.racy() && !now.walMissing() && broken == null && shadowHeader != null) {
            try (FileChannel wal = FileChannel.open(handle.walPath(), StandardOpenOption.READ)) {
                probe.capture(wal, probeAt, shadowHeader); // compared once the stamp settles
            }
        }
    }

    /**
     * True when the parked database's files read differently from when Keel let go of it. A racy stamp
     * is taken again once a write would show in the times, and the WAL is probed as a held database's
     * is (reading the -wal file takes and drops no lock), so a restart, or a commit over frames of a
     * rolled-back transaction, in that first clock tick of the file system shows too.
     */
    boolean changed(boolean hasShadow) {
        ParkedStamp at = stamp;
        if (at == null || at.changed(db, handle.walPath())) return true;
        if (!at.settled()) return false;
        try {
            ParkedStamp fresh = ParkedStamp.of(db, handle.walPath());
            if (!fresh.db().equals(at.db()) || !fresh.wal().equals(at.wal())) return true;
            if (!fresh.walMissing() && broken == null && hasShadow && !walProbedUnchanged()) return true;
            stamp = fresh;
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** What a take-back found: why a new generation must start, or why a WAL restart is not continuous (each null when none). */
    record TakenBack(String newGeneration, String unprovenRestart) {
    }

    /**
     * Takes the database back when the budget has a place: opens it again; the monitor's continuity
     * check then decides, as after a restart. Null when no place is free.
     */
    TakenBack takeBack() {
        if (!budget.tryHold(this)) return null;
        counted = true;
        Object before = handle.fileKey();
        try {
            handle.reopen();
        } catch (RuntimeException e) {
            release();
            handle.park(); // stays parked; the loop logs the failure and retries
            throw e;
        }
        String replaced = before != null && !before.equals(handle.fileKey())
                ? "the database file was replaced while Keel had let go of it" : null;
        TakenBack out = new TakenBack(replaced, broken);
        broken = null;
        stamp = null;
        probe.reset();
        return out;
    }

    private boolean walHeaderIs(byte[] header) {
        try (FileChannel wal = FileChannel.open(handle.walPath(), StandardOpenOption.READ)) {
            byte[] now = new byte[WalHeader.SIZE];
            return WalScanner.readFully(wal, now, 0) == now.length && Arrays.equals(now, header);
        } catch (IOException e) {
            return false;
        }
    }

    private boolean walProbedUnchanged() {
        try (FileChannel wal = FileChannel.open(handle.walPath(), StandardOpenOption.READ)) {
            return probe.unchanged(wal);
        } catch (IOException e) {
            return false;
        }
    }
}
