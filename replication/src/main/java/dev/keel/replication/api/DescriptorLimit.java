package dev.keel.replication.api;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Whether this process may hold every database of a fleet open: the soft open-file limit ({@code ulimit
 * -n}) against what holding {@code databases} databases costs ({@value #PER_HELD_DATABASE} descriptors
 * each, plus {@value #BASE} for the process itself). Beyond {@link #heldBudget()} databases the
 * replicator parks the least recently written ones (no descriptor held; see docs/replication.md), so a
 * low limit costs take-back time, not failures. The {@code keel} launcher raises the soft limit to the
 * hard one; this says when that is still too low to hold the whole fleet. A soft limit of -1 means unknown.
 */
public record DescriptorLimit(int databases, long softLimit, long needed) {
    /**
     * Held per database: SQLite's connection (database file, WAL, shared memory), Keel's read-only channel
     * on the database file, and, once Keel has checkpointed it, the database file descriptor SQLite keeps
     * from Keel's second connection (closing it would drop the process's locks on the file).
     */
    public static final int PER_HELD_DATABASE = 5;
    /** The JVM, logs, sockets to storage. */
    public static final int BASE = 64;
    /** The fewest databases held at once, however low the limit (below it, opening fails and is retried). */
    public static final int MIN_HELD = 16;

    /** The limit of this process for {@code databases} databases. */
    public static DescriptorLimit forDatabases(int databases) {
        long soft = -1;
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) soft = unix.getMaxFileDescriptorCount();
        return new DescriptorLimit(databases, soft, (long) databases * PER_HELD_DATABASE + BASE);
    }

    /**
     * Descriptors kept free for what is not a held database: sockets to storage, the lock file of each
     * directory, temporary files of uploads, WAL channels during rounds, jars and logs.
     */
    public long reserve() {
        return Math.max(4L * BASE, softLimit / 10);
    }

    /** The most databases held open at once: what the limit leaves after the reserve; {@link Integer#MAX_VALUE} when unknown. */
    public int heldBudget() {
        if (softLimit < 0) return Integer.MAX_VALUE;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_HELD, (softLimit - reserve()) / PER_HELD_DATABASE));
    }

    /** True when the limit is unknown or every database can be held. */
    public boolean enough() {
        return softLimit < 0 || databases <= heldBudget();
    }

    /** True when the limit is below what even {@link #MIN_HELD} databases and the reserve need: opens may fail. */
    public boolean tooLow() {
        return softLimit >= 0 && softLimit < reserve() + (long) MIN_HELD * PER_HELD_DATABASE;
    }

    /** Databases parked at any moment when all are followed (0 when every one is held). */
    public int parked() {
        return enough() ? 0 : databases - heldBudget();
    }

    /** The line to print when not every database can be held: what, how much is missing, what to do. */
    public String warning() {
        String raise = "Raise the limit: LimitNOFILE= in the systemd unit, 'ulimit -n' (or /etc/security/limits.conf) "
                + "for a shell; the keel launcher raises the soft limit to the hard limit itself";
        if (tooLow()) {
            return "the open-file limit (ulimit -n) is " + softLimit + ", too low to replicate: Keel needs about " + reserve()
                    + " descriptors for itself plus " + PER_HELD_DATABASE + " per database held, and databases that fail to open "
                    + "are retried. " + raise;
        }
        return "the open-file limit (ulimit -n) is " + softLimit + ": Keel holds at most " + heldBudget() + " of the " + databases
                + " databases open at once (" + PER_HELD_DATABASE + " descriptors each) and parks the other " + parked()
                + " (no descriptor: a stat each monitor interval, taken back on their first write, which then waits for a "
                + "free place). Holding all of them needs about " + needed + " descriptors plus a reserve of " + reserve()
                + ". " + raise;
    }
}
