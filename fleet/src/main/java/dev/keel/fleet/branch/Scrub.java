package dev.keel.fleet.branch;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.source.SchemaSource;
import dev.keel.schema.source.SqlErrors;
import dev.keel.schema.source.StatementRules;
import dev.keel.schema.sql.SqlStatement;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs scrub SQL on a branch before it is handed over. {@code secure_delete} is on, so the rows and
 * values a scrub removes or overwrites are zeroed in the file rather than left in free pages; the WAL
 * is checkpointed into the file and truncated at the end, so the scrubbed file stands alone.
 */
final class Scrub {
    private Scrub() {
    }

    /** Reads and checks the scrub file (refusing ATTACH, VACUUM INTO and the like) before anything is copied. */
    static SchemaSource read(Path file) {
        return SchemaSource.script(file, StatementRules.Context.SCRUB);
    }

    /** Runs {@code script} on the database {@code db}; a failure names the scrub file and line. */
    static void run(SchemaSource script, Path db) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("PRAGMA secure_delete=ON");
            for (SqlStatement statement : script.statements()) {
                try {
                    st.execute(statement.sql());
                } catch (SQLException e) {
                    String message = SqlErrors.message(e);
                    boolean syntax = message.contains("syntax error") || message.contains("incomplete input");
                    int line = syntax ? SqlErrors.line(c, statement, message) : statement.line();
                    throw new KeelException(syntax ? ErrorCode.BAD_INPUT : ErrorCode.FAILURE, "scrub SQL failed: " + message,
                            statement.source() + ":" + line, "nothing was created at --to; fix the scrub SQL and retry", e);
                }
            }
            refuseOpenTransaction(st, script);
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.IO, "cannot run the scrub SQL on the copy: " + SqlErrors.message(e),
                    script.description(), "nothing was created at --to; check free space beside --to", e);
        }
    }

    /** A BEGIN without COMMIT would be rolled back when the connection closes: the scrub would silently not apply. */
    private static void refuseOpenTransaction(Statement st, SchemaSource script) throws SQLException {
        try {
            st.execute("BEGIN");
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.BAD_INPUT, "scrub SQL leaves a transaction open (BEGIN without COMMIT)",
                    script.description(), "end the scrub with COMMIT; nothing was created at --to", e);
        }
        st.execute("ROLLBACK");
    }
}
