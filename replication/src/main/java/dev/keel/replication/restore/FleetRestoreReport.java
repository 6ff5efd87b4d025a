package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import java.util.List;
import java.util.Optional;

/**
 * One line per database of a fleet restore, in the order the databases were given (by path for a
 * prefix), and the failure that decides the exit status.
 */
public record FleetRestoreReport(List<DatabaseRestoreOutcome> databases) {
    /**
     * Failure codes from most to least significant. Replica data that cannot be read as a database
     * (or a refused name) needs a person to look at the data; local I/O and storage problems can be
     * retried once fixed; a refusal to replace files and missing backups are decisions already made
     * by the options, so they rank last.
     */
    public static final List<ErrorCode> SIGNIFICANCE = List.of(ErrorCode.BAD_INPUT, ErrorCode.IO,
            ErrorCode.STORAGE_UNAVAILABLE, ErrorCode.NOT_FOUND, ErrorCode.REFUSED, ErrorCode.FAILURE, ErrorCode.USAGE,
            ErrorCode.DRIFT);

    public FleetRestoreReport {
        databases = List.copyOf(databases);
    }

    public long count(DatabaseRestoreOutcome.Status status) {
        return databases.stream().filter(d -> d.status() == status).count();
    }

    /** The most significant failure's code (see {@link #SIGNIFICANCE}); empty when every database was restored or skipped. */
    public Optional<ErrorCode> worstFailure() {
        return databases.stream().filter(d -> d.failure() != null).map(d -> d.failure().code())
                .min((a, b) -> Integer.compare(SIGNIFICANCE.indexOf(a), SIGNIFICANCE.indexOf(b)));
    }
}
