package dev.keel.cli.branch;

import dev.keel.fleet.branch.Branch;
import dev.keel.fleet.branch.BranchOrigin;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** How branch commands show a branch: as a JSON object, and its age and time left in words. */
final class BranchView {
    private BranchView() {
    }

    static Map<String, Object> json(Branch b, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", b.path().toString());
        m.put("created", b.created().toString());
        m.put("expires", b.expires().toString());
        m.put("expired", b.expired(now));
        m.put("ageSeconds", b.age(now).toSeconds());
        m.put("secondsLeft", Math.max(0, b.timeLeft(now).toSeconds()));
        m.put("creator", b.creator());
        m.put("source", b.source());
        if (b.origin() instanceof BranchOrigin.Live live) {
            m.put("sourceKind", "database");
            m.put("copiedAt", live.copiedAt().toString());
            m.put("journalMode", live.journalMode());
        } else if (b.origin() instanceof BranchOrigin.Replica r) {
            m.put("sourceKind", "replica");
            m.put("target", r.target());
            m.put("generation", r.position().generation().id());
            m.put("index", r.position().index());
            m.put("offset", r.position().offset());
        }
        m.put("scrub", b.scrub());
        m.put("schemaOnly", b.schemaOnly());
        return m;
    }

    /** "in 2d3h" or "expired 5m ago". */
    static String left(Branch b, Instant now) {
        Duration left = b.timeLeft(now);
        return b.expired(now) ? "expired " + words(left.negated()) + " ago" : "in " + words(left);
    }

    /** A duration the way people say it, to two units: 3d4h, 2h5m, 7m, 12s. */
    static String words(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s >= 86_400) return s / 86_400 + "d" + (s % 86_400) / 3600 + "h";
        if (s >= 3600) return s / 3600 + "h" + (s % 3600) / 60 + "m";
        if (s >= 60) return s / 60 + "m";
        return s + "s";
    }
}
