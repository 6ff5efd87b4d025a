package dev.keel.fleet;

import java.util.Objects;
import java.nio.file.Path;

/**
 * One database of a fleet: its file, and the name it is shown and sharded by (the path below the
 * fleet directory, or the path as it was listed).
 */
public record FleetDatabase(Path path, String name) implements Comparable<FleetDatabase> {
    public FleetDatabase {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public int compareTo(FleetDatabase other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
