package dev.keel.cli.config;

import dev.keel.replication.api.HeldMemory;
import java.util.Optional;

/**
 * The top-level {@code held-memory:} key (Keel only): the native memory the databases held open may take,
 * a size of at least one database's worth ({@link HeldMemory#PER_HELD_DATABASE}). Beyond what it holds,
 * the least recently written databases are parked, as beyond the open-file limit's budget.
 */
final class HeldMemorySection {
    static final String KEY = "held-memory";
    private static final String HINT = "write a size of at least 224KiB (one database held), e.g. 1GiB; leave the key out"
            + " for the default, 448MiB (2048 databases held)";

    private HeldMemorySection() {
    }

    /** The held memory the file sets, or {@link HeldMemory#DEFAULT} without the key. */
    static HeldMemory read(YamlMap top) {
        Optional<String> text = top.string(KEY);
        if (text.isEmpty()) return HeldMemory.DEFAULT;
        long bytes;
        try {
            bytes = ByteSize.parse(text.get());
        } catch (IllegalArgumentException e) {
            throw top.error(KEY, "bad size " + YamlMap.quote(text.get()) + " for " + KEY + ": " + e.getMessage(), HINT);
        }
        if (bytes < HeldMemory.PER_HELD_DATABASE) {
            throw top.error(KEY, KEY + " " + YamlMap.quote(text.get()) + " is " + bytes + " bytes, less than one database"
                    + " held open takes (" + HeldMemory.PER_HELD_DATABASE + " bytes)", HINT);
        }
        return new HeldMemory(bytes);
    }
}
