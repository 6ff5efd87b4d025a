package dev.keel.schema.source;

import dev.keel.schema.sql.SqlStatement;
import dev.keel.schema.sql.SqlToken;
import dev.keel.schema.sql.SqlTokenizer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which statements a SQL file may hold, decided from its tokens before anything runs, so a refusal
 * can name the line and say why. Schema files run in the scratch database and may only shape it;
 * pre/post SQL runs on the live database and may do anything there, but not reach other files.
 * SQLite's own limits on the scratch connection ({@link Sandbox}) enforce the same boundary; these
 * rules are what gives the user a clear message.
 */
public final class StatementRules {
    /** Pragmas that only read, or only change the scratch database itself. */
    private static final Set<String> SCHEMA_PRAGMAS = Set.of(
            "foreign_keys", "recursive_triggers", "defer_foreign_keys", "legacy_alter_table", "case_sensitive_like",
            "encoding", "auto_vacuum", "user_version", "application_id", "journal_mode", "synchronous",
            "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
            "foreign_key_check", "integrity_check", "quick_check", "compile_options", "collation_list",
            "function_list", "module_list", "pragma_list", "database_list");
    /** Pragmas that act on the whole process or on files, not on the one database a script migrates. */
    private static final Set<String> PROCESS_PRAGMAS = Set.of(
            "temp_store_directory", "data_store_directory", "soft_heap_limit", "hard_heap_limit", "writable_schema");

    /** Where a SQL file runs. */
    public enum Context {
        /** A schema file, run in the isolated scratch database. */
        SCHEMA("schema files", "the wanted schema is built in an isolated scratch database"),
        /** Pre or post SQL, run inside the migration's transaction on the live database. */
        SCRIPT("pre/post SQL", "it runs inside the migration's transaction on the database being migrated, and nowhere else"),
        /** Scrub SQL, run on a branch (a fresh copy) before it is handed over; it may VACUUM and manage its own transactions. */
        SCRUB("scrub SQL", "it runs on the new branch only, before the branch is handed over");

        private final String who;
        private final String because;

        Context(String who, String because) {
            this.who = who;
            this.because = because;
        }
    }

    /** Why a statement is refused, and the line of the token that decided it. */
    public record Refusal(int line, String message) {
    }

    private StatementRules() {
    }

    /** The reason {@code statement} may not run in {@code context}, or empty when it may. */
    public static Optional<Refusal> check(SqlStatement statement, Context context) {
        List<SqlToken> code = statement.code();
        SqlToken loader = SqlTokenizer.call(code, "load_extension");
        if (loader != null) return refuse(loader, context, "may not call load_extension(): it loads native code into Keel");
        int start = 0;
        while (start < code.size() && (code.get(start).isWord("EXPLAIN") || code.get(start).isWord("QUERY")
                || code.get(start).isWord("PLAN"))) {
            start++;
        }
        if (start >= code.size()) return Optional.empty();
        SqlToken first = code.get(start);
        if (first.isWord("ATTACH")) return refuse(first, context, "may not attach other databases");
        if (first.isWord("DETACH")) return refuse(first, context, "may not detach databases");
        if (first.isWord("VACUUM") && (context != Context.SCRUB || code.stream().anyMatch(t -> t.isWord("INTO")))) {
            return refuse(first, context, "may not VACUUM (VACUUM INTO writes a new file)");
        }
        if (first.isWord("BACKUP") || first.isWord("RESTORE")) {
            return refuse(first, context, "may not use the JDBC driver's " + first.text() + " command: it copies whole databases to or from files");
        }
        if (first.isWord("PRAGMA")) return pragma(code, start + 1, context);
        if (context == Context.SCRIPT && start == 0 && endsOrStartsTransaction(code)) {
            return refuse(first, context, "may not end or start a transaction (" + first.text().toUpperCase(Locale.ROOT)
                    + "): Keel commits pre SQL, plan and post SQL together, and rolls all of them back on failure or --dry-run");
        }
        return Optional.empty();
    }

    /**
     * BEGIN, COMMIT, END and ROLLBACK (but not ROLLBACK TO a savepoint): run inside the migration's
     * transaction they would commit or drop part of it, and let what follows run outside it.
     */
    private static boolean endsOrStartsTransaction(List<SqlToken> code) {
        SqlToken first = code.get(0);
        if (first.isWord("BEGIN") || first.isWord("COMMIT") || first.isWord("END")) return true;
        if (!first.isWord("ROLLBACK")) return false;
        int next = code.size() > 1 && code.get(1).isWord("TRANSACTION") ? 2 : 1;
        return next >= code.size() || !code.get(next).isWord("TO");
    }

    private static Optional<Refusal> pragma(List<SqlToken> code, int at, Context context) {
        if (at >= code.size()) return Optional.empty();
        int nameAt = at + 2 < code.size() && code.get(at + 1).isPunct(".") ? at + 2 : at;
        SqlToken nameToken = code.get(nameAt);
        String name = nameToken.name().toLowerCase(Locale.ROOT);
        if (context == Context.SCHEMA && !SCHEMA_PRAGMAS.contains(name)) {
            return refuse(nameToken, context, "may not use PRAGMA " + nameToken.name()
                    + " (only pragmas that read or that change nothing outside the scratch database are allowed: "
                    + String.join(", ", SCHEMA_PRAGMAS.stream().sorted().toList()) + ")");
        }
        if (context == Context.SCRIPT && PROCESS_PRAGMAS.contains(name)) {
            return refuse(nameToken, context, "may not use PRAGMA " + nameToken.name() + ": it changes more than the rows of this database");
        }
        return Optional.empty();
    }

    private static Optional<Refusal> refuse(SqlToken at, Context context, String what) {
        return Optional.of(new Refusal(at.line(), context.who + " " + what + ": " + context.because));
    }
}
