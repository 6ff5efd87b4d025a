package dev.keel.replication.api;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Whether this process may open enough files to follow a fleet: the soft open-file limit ({@code ulimit
 * -n}) against what replicating {@code databases} databases holds open ({@value #PER_DATABASE} descriptors
 * each, plus {@value #BASE} for the process itself). The {@code keel} launcher raises the soft limit to
 * the hard one; this says when that is still too low. A soft limit of -1 means unknown.
 */
public record DescriptorLimit(int databases, long softLimit, long needed) {
    /**
     * Held per database: SQLite's connection (database file, WAL, shared memory), Keel's channels on the
     * database file and the WAL, and the lock on Keel's local state.
     */
    public static final int PER_DATABASE = 6;
    /** The JVM, logs, sockets to storage. */
    public static final int BASE = 64;

    /** The limit of this process for {@code databases} databases. */
    public static DescriptorLimit forDatabases(int databases) {
        long soft = -1;
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) soft = unix.getMaxFileDescriptorCount();
        return new DescriptorLimit(databases, soft, (long) databases * PER_DATABASE + BASE);
    }

    /** True when the limit is unknown or high enough. */
    public boolean enough() {
        return softLimit < 0 || softLimit >= needed;
    }

    /** The line to print when it is not enough: what, how much is missing, what to do. */
    public String warning() {
        return "the open-file limit (ulimit -n) is " + softLimit + ", and replicating " + databases + " databases needs about "
                + needed + " descriptors (" + PER_DATABASE + " per database + " + BASE + "); databases beyond the limit fail to "
                + "open and are retried. Raise the limit: LimitNOFILE= in the systemd unit, 'ulimit -n' (or "
                + "/etc/security/limits.conf) for a shell; the keel launcher raises the soft limit to the hard limit itself";
    }
}
