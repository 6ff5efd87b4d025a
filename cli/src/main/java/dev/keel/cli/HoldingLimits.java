package dev.keel.cli;

import dev.keel.cli.config.ByteSize;
import dev.keel.replication.api.DescriptorLimit;
import dev.keel.replication.api.HeldMemory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The two bounds on how many of {@code databases} databases {@code keel replicate} holds open, as
 * {@code keel databases} shows them: the open-file limit's budget and the held memory's
 * ({@code held-memory:}). The smaller applies, as in the replicator; beyond it the rest are parked.
 */
record HoldingLimits(int databases, DescriptorLimit descriptors, HeldMemory memory) {
    static HoldingLimits of(int databases, HeldMemory memory) {
        return new HoldingLimits(databases, DescriptorLimit.forDatabases(databases), memory);
    }

    /** True when the held memory, not the open-file limit, is what parks some of the databases. */
    boolean memoryLimits() {
        return databases > memory.heldBudget() && memory.heldBudget() < descriptors.heldBudget();
    }

    /** The {@code descriptors} object of {@code --json}. */
    Map<String, Object> descriptorsJson() {
        DescriptorLimit limit = descriptors;
        Map<String, Object> fds = new LinkedHashMap<>();
        fds.put("perHeldDatabase", DescriptorLimit.PER_HELD_DATABASE);
        fds.put("softLimit", limit.softLimit());
        fds.put("heldBudget", limit.softLimit() < 0 ? null : limit.heldBudget());
        fds.put("held", databases - limit.parked());
        fds.put("parked", limit.parked());
        fds.put("neededToHoldAll", limit.needed());
        fds.put("enough", limit.enough());
        fds.put("tooLow", limit.tooLow());
        return fds;
    }

    /** The {@code heldMemory} object of {@code --json}. */
    Map<String, Object> memoryJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", memory.bytes());
        m.put("perHeldDatabase", HeldMemory.PER_HELD_DATABASE);
        m.put("heldBudget", memory.heldBudget());
        m.put("limiting", memoryLimits());
        return m;
    }

    /**
     * The warning for stderr when not every database can be held: the open-file limit's (it can be raised)
     * when that is the smaller budget, otherwise the held memory's (a choice in the config).
     */
    Optional<String> warning() {
        if (memoryLimits()) {
            int held = memory.heldBudget();
            long needed = databases * HeldMemory.PER_HELD_DATABASE;
            return Optional.of("held-memory is " + ByteSize.format(memory.bytes()) + ": Keel holds at most " + held + " of the "
                    + databases + " databases open at once (about " + ByteSize.format(HeldMemory.PER_HELD_DATABASE)
                    + " of native memory each) and parks the other " + (databases - held) + " (a stat each monitor interval,"
                    + " taken back on their first write, which then waits for a free place). Holding all of them takes"
                    + " held-memory: " + ByteSize.format(needed) + " or more in the config, if the machine has that memory");
        }
        return descriptors.enough() ? Optional.empty() : Optional.of(descriptors.warning());
    }
}
