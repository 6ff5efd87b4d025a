package dev.keel.server;

import java.util.Locale;

/**
 * A bounded label for why a generation began, for metrics (the engine's reason is a sentence for
 * people, with paths in it). Unrecognised reasons count as {@code other}; the page shows the sentence.
 */
final class GenerationCause {
    private GenerationCause() {
    }

    static String of(String reason) {
        if (reason == null) return "other";
        String r = reason.toLowerCase(Locale.ROOT);
        if (r.startsWith("no shadow wal")) return "no_shadow_wal";
        if (r.contains("shadow wal") && r.contains("deleted or truncated")) return "shadow_wal_lost";
        if (r.contains("no longer in the shadow wal")) return "shadow_wal_lost";
        if (r.contains("fell more than")) return "backlog_limit";
        if (r.contains("checkpoint keel did not run") || r.contains("restarted the wal")) return "external_checkpoint";
        if (r.contains("truncated by another") || r.contains("overwritten by another")) return "wal_rewritten";
        if (r.contains("database file was")) return "database_replaced";
        return "other";
    }
}
