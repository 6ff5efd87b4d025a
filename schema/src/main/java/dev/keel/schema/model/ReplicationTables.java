package dev.keel.schema.model;

import java.util.List;
import java.util.Locale;

/**
 * Tables that replication keeps inside the database it follows: Keel's ({@code _keel_seq},
 * {@code _keel_lock}) and Litestream's ({@code _litestream_seq}, {@code _litestream_lock}). They are
 * not the application's schema, so migrations never compare, change or drop them; the prefixes are
 * reserved for them (a rebuild's temporary table is named {@code _keel_new_<table>} too).
 */
public final class ReplicationTables {
    /** Name prefixes reserved for replication, compared without regard to ASCII case as SQLite does. */
    public static final List<String> PREFIXES = List.of("_keel_", "_litestream_");

    private ReplicationTables() {
    }

    /** True when the table (or the table an index or trigger belongs to) is replication's. */
    public static boolean owns(String table) {
        String lower = table.toLowerCase(Locale.ROOT);
        return PREFIXES.stream().anyMatch(lower::startsWith);
    }
}
