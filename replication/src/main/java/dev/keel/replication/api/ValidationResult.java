package dev.keel.replication.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The outcome of validating one replica: the live database and the replica restored at the same
 * position, compared page by page.
 *
 * @param firstDifferentPage the first page (1-based) that differs, or -1 when they are equal
 */
public record ValidationResult(Path database, String replica, Position position, long pagesCompared,
                               long firstDifferentPage) {
    public ValidationResult {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(replica, "replica");
    }

    public boolean equal() {
        return firstDifferentPage < 0;
    }
}
