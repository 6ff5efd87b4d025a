package dev.keel.server;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;

/**
 * How many databases get series of their own in {@code /metrics}: all of them (Litestream's way), or
 * only the {@code worst} N (failing first, then by replication lag) beside fleet-level aggregates, so a
 * process following 10,000 databases does not produce 100,000 series per scrape.
 *
 * @param worst -1 for every database, otherwise 0 to {@value #MAX_WORST}
 */
public record MetricsDetail(int worst) {
    public static final int MAX_WORST = 10_000;
    public static final MetricsDetail ALL = new MetricsDetail(-1);

    public MetricsDetail {
        if (worst < -1 || worst > MAX_WORST) {
            throw new KeelException(ErrorCode.USAGE, "per-database-metrics " + worst + " is out of range", null, HINT);
        }
    }

    static final String HINT = "write 'all' (a series per database, the default) or a number from 0 to " + MAX_WORST
            + " (fleet-level aggregates plus that many of the worst databases)";

    /** Reads {@code all} or a number; anything else is a USAGE error (the config loader names the line). */
    public static MetricsDetail parse(String text) {
        if (text == null || text.equalsIgnoreCase("all")) return ALL;
        if (!text.matches("[0-9]{1,6}")) {
            throw new KeelException(ErrorCode.USAGE, "per-database-metrics '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                    + "' is not 'all' or a number", null, HINT);
        }
        return new MetricsDetail(Integer.parseInt(text));
    }

    boolean all() {
        return worst < 0;
    }

    @Override
    public String toString() {
        return all() ? "all" : Integer.toString(worst);
    }
}
