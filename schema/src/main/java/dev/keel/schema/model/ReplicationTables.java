package dev.keel.schema.model;

import dev.keel.schema.sql.Identifiers;
import java.util.List;
import java.util.Set;

/**
 * Tables that replication keeps inside the database it follows: Keel's ({@code _keel_seq},
 * {@code _keel_lock}) and Litestream's ({@code _litestream_seq}, {@code _litestream_lock}). They are
 * not the application's schema, so migrations never compare, change or drop them; the prefixes are
 * reserved for them (a rebuild's temporary table is named {@code _keel_new_<table>} too).
 */
public final class ReplicationTables {
    /** Name prefixes reserved for replication, compared without regard to ASCII case as SQLite does. */
    public static final List<String> PREFIXES = List.of("_keel_", "_litestream_");

    /** The tables Keel and Litestream create themselves: what a schema dumped from a replicated database declares. */
    private static final Set<String> BOOKKEEPING = Set.of("_keel_seq", "_keel_lock", "_litestream_seq", "_litestream_lock");

    private ReplicationTables() {
    }

    /** True when the table (or the table an index or trigger belongs to) is replication's. */
    public static boolean owns(String table) {
        String lower = Identifiers.key(table);
        return PREFIXES.stream().anyMatch(lower::startsWith);
    }

    /** True for exactly the tables replication creates (not for every name under a reserved prefix). */
    public static boolean isBookkeeping(String table) {
        return BOOKKEEPING.contains(Identifiers.key(table));
    }
}
