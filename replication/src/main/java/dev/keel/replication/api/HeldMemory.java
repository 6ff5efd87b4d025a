package dev.keel.replication.api;

/**
 * How many databases one replicator holds open for the memory that costs: each held database keeps a
 * SQLite connection, about {@value #PER_HELD_DATABASE} bytes of native memory that no JVM option bounds
 * (SQLite's connection with its lookaside buffer, page cache and schema, its {@code -shm} mapping, and
 * Keel's own objects). Beyond the budget the least recently written databases are parked, as beyond the
 * open-file limit's budget ({@link DescriptorLimit}): the smaller of the two applies.
 *
 * @param bytes the memory held databases may take; at least one database's worth
 */
public record HeldMemory(long bytes) {
    /**
     * Resident memory per held database, measured with sqlite-jdbc 3.54 on Linux: about 180 KB of native
     * heap per connection (whatever its page cache size), 32 KB of {@code -shm} mapping, a few KB of Java heap.
     */
    public static final long PER_HELD_DATABASE = 224L * 1024;
    /** The default: 448 MiB, 2,048 databases held; a fleet of 10,000 then stays under a gigabyte resident. */
    public static final HeldMemory DEFAULT = new HeldMemory(2048 * PER_HELD_DATABASE);

    public HeldMemory {
        if (bytes < PER_HELD_DATABASE) {
            throw new IllegalArgumentException("held memory of at least one database (" + PER_HELD_DATABASE + " bytes): " + bytes);
        }
    }

    /** The most databases held open at once for this memory. */
    public int heldBudget() {
        return (int) Math.min(Integer.MAX_VALUE, bytes / PER_HELD_DATABASE);
    }
}
