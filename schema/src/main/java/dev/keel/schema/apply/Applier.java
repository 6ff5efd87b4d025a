package dev.keel.schema.apply;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.plan.Step;
import dev.keel.schema.source.SchemaSource;
import dev.keel.schema.source.SqlErrors;
import dev.keel.schema.sql.SqlStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs statements inside the migration's transaction: plan steps, and pre/post SQL scripts whose
 * failures are reported with their file:line. The caller owns BEGIN, COMMIT and ROLLBACK.
 */
public final class Applier {
    private final LiveDatabase db;

    public Applier(LiveDatabase db) {
        this.db = db;
    }

    /** Runs {@code steps} from {@code from} (inclusive) to {@code to} (exclusive). */
    public void steps(List<Step> steps, int from, int to) {
        try (Statement st = db.connection().createStatement()) {
            for (int i = from; i < to; i++) {
                Step step = steps.get(i);
                try {
                    if (step.check() == null) st.execute(step.sql());
                    else verify(st, step);
                } catch (SQLException e) {
                    KeelException mapped = db.error("step " + (i + 1) + " of the plan failed", e);
                    if (mapped.code() != ErrorCode.FAILURE) throw mapped;
                    throw new KeelException(ErrorCode.FAILURE, mapped.getMessage() + "\n  while: " + step.why()
                            + "\n  statement: " + step.sql(), db.label(),
                            "nothing was changed (the transaction was rolled back); fix the data or the schema and retry", e);
                }
            }
        } catch (SQLException e) {
            throw db.error("cannot run the plan", e);
        }
    }

    /** Runs a row-count check: the table's rows before and after its rebuild must be as many. */
    private void verify(Statement st, Step step) throws SQLException {
        long before;
        long after;
        try (ResultSet rs = st.executeQuery(step.sql())) {
            if (!rs.next()) throw new SQLException("row count check returned no row: " + step.sql());
            before = rs.getLong(1);
            after = rs.getLong(2);
        }
        if (before == after) return;
        String table = step.check().table();
        throw new KeelException(ErrorCode.FAILURE, "table " + table + " holds " + before + " rows but its rebuilt copy holds " + after
                + "; Keel stopped the migration and rolled it back, nothing was changed", db.label(),
                "rows were merged, skipped or added while copying (an ON CONFLICT REPLACE or IGNORE clause, a changed COLLATE on "
                        + "a key, or a --% fill/using expression): fix the schema or the data and retry; 'keel diff' shows the plan");
    }

    /** Runs a pre or post SQL script; {@code role} ("pre", "post") appears in errors. */
    public void script(SchemaSource script, String role) {
        try (Statement st = db.connection().createStatement()) {
            for (SqlStatement statement : script.statements()) {
                try {
                    st.execute(statement.sql());
                } catch (SQLException e) {
                    String message = SqlErrors.message(e);
                    boolean syntax = message.contains("syntax error") || message.contains("incomplete input");
                    int line = syntax ? SqlErrors.line(db.connection(), statement, message) : statement.line();
                    throw new KeelException(syntax ? ErrorCode.BAD_INPUT : ErrorCode.FAILURE,
                            role + " SQL failed: " + message, statement.source() + ":" + line,
                            "nothing was changed (the transaction was rolled back); fix the " + role + " SQL and retry", e);
                }
            }
        } catch (SQLException e) {
            throw db.error("cannot run the " + role + " SQL", e);
        }
    }

    /** The rows PRAGMA foreign_key_check reports, as "child rowid N -> parent" lines. */
    public List<String> foreignKeyViolations() {
        List<String> out = new ArrayList<>();
        try (Statement st = db.connection().createStatement(); ResultSet rs = st.executeQuery("PRAGMA foreign_key_check")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " rowid " + rs.getString(2) + " references missing row in " + rs.getString(3));
            }
        } catch (SQLException e) {
            throw db.error("PRAGMA foreign_key_check failed", e);
        }
        return out;
    }
}
