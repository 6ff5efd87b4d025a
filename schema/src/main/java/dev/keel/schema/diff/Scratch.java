package dev.keel.schema.diff;

import dev.keel.schema.inspect.Inspector;
import dev.keel.schema.model.Index;
import dev.keel.schema.model.Schema;
import dev.keel.schema.model.Table;
import dev.keel.schema.source.Sandbox;
import dev.keel.schema.source.SqlErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * An empty in-memory copy of the live database's tables and indexes, on which the planner tries
 * ALTER TABLE statements before choosing them: SQLite itself decides whether a column can be
 * dropped or added in place, and the result is inspected to see if it matches what is wanted.
 * It lives in a {@link Sandbox}: the table definitions come from the schema file and the live
 * database, so they get the same isolation as the schema file itself.
 */
final class Scratch implements AutoCloseable {
    private final Sandbox sandbox;
    private final Connection connection;
    private final Statement statement;
    private int savepoints;

    private Scratch(Sandbox sandbox) throws SQLException {
        this.sandbox = sandbox;
        this.connection = sandbox.connection();
        this.statement = connection.createStatement();
    }

    /** Creates the tables (except ones whose module is missing) and explicit indexes of {@code schema}. */
    static Scratch of(Schema schema) throws SQLException {
        Scratch scratch = new Scratch(Sandbox.open(Sandbox.Limits.DEFAULT));
        for (Table t : schema.tables()) {
            if (!scratch.tryRun(t.sql())) continue;
            for (Index i : t.explicitIndexes()) scratch.tryRun(i.sql());
        }
        return scratch;
    }

    /** Runs {@code sql}; false (and the error swallowed) when SQLite refuses it. */
    boolean tryRun(String sql) {
        return error(sql) == null;
    }

    /** Runs {@code sql}; SQLite's message when it refuses it, null when it worked. */
    String error(String sql) {
        try {
            statement.execute(sql);
            return null;
        } catch (SQLException e) {
            return SqlErrors.message(e);
        }
    }

    void run(String sql) throws SQLException {
        statement.execute(sql);
    }

    /** Starts an attempt that can be undone with {@link #undo()} or kept with {@link #keep()}. */
    void attempt() throws SQLException {
        statement.execute("SAVEPOINT attempt" + (++savepoints));
    }

    void undo() throws SQLException {
        statement.execute("ROLLBACK TO attempt" + savepoints);
        statement.execute("RELEASE attempt" + savepoints--);
    }

    void keep() throws SQLException {
        statement.execute("RELEASE attempt" + savepoints--);
    }

    Schema inspect() throws SQLException {
        return new Inspector(connection).inspect();
    }

    Optional<Table> table(String name) throws SQLException {
        return new Inspector(connection).table(name);
    }

    @Override
    public void close() throws SQLException {
        statement.close();
        sandbox.close();
    }
}
