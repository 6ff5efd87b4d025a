package dev.keel.schema;

import dev.keel.schema.lint.LintFinding;
import dev.keel.schema.plan.Plan;
import java.util.List;

/**
 * What a migrate, diff or check found and did: the plan, the linter's findings, whether the plan
 * was committed, and how long it took.
 */
public record MigrationResult(String database, Plan plan, List<LintFinding> findings, boolean applied,
                              boolean dryRun, long millis) {
    public MigrationResult {
        findings = List.copyOf(findings);
    }

    /** True when the database already matched the wanted schema. */
    public boolean upToDate() {
        return plan.isEmpty();
    }

    /** What the plan would delete (it needs allowDeletions). */
    public List<String> deletions() {
        return plan.deletions();
    }
}
