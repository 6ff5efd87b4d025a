package dev.keel.schema.source;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.sql.Identifiers;
import dev.keel.schema.sql.SqlStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteLimits;

/**
 * An in-memory SQLite database that cannot reach outside itself, where schema files are run and
 * plans are tried: no other database can be attached (so no ATTACH, no VACUUM INTO), extensions
 * cannot be loaded, the database, its temporary tables and every string are bounded in size, and
 * the statements of schema files ({@link #run}) share a wall-clock time limit that stops the one
 * running when it is used up.
 */
public final class Sandbox implements AutoCloseable {
    private static final int PROGRESS_STEPS = 10_000;

    /**
     * How much time and memory a sandbox may use: {@code time} for all schema statements together,
     * {@code maxPages} (4 KiB each) for the database and again for its temporary tables,
     * {@code maxLength} bytes per string or blob, {@code maxSqlLength} bytes per statement.
     */
    public record Limits(Duration time, int maxPages, int maxLength, int maxSqlLength) {
        /** 5 seconds, 64 MiB of pages, 16 MiB per value, 4 MiB per statement. */
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(5), 16_384, 16 << 20, SchemaSource.MAX_CHARS);

        public Limits {
            Objects.requireNonNull(time, "time");
            if (time.isNegative() || time.isZero() || maxPages < 1 || maxLength < 1 || maxSqlLength < 1) {
                throw new IllegalArgumentException("sandbox limits must be positive: " + time + ", " + maxPages + ", "
                        + maxLength + ", " + maxSqlLength);
            }
        }

        public Limits withTime(Duration newTime) {
            return new Limits(newTime, maxPages, maxLength, maxSqlLength);
        }

        String duration() {
            long ms = time.toMillis();
            return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
        }

        /** The size the database may grow to, for messages; pages are SQLite's default 4 KiB. */
        String size() {
            return (maxPages * 4L >> 10) + " MiB";
        }
    }

    private final SQLiteConnection connection;
    private final Limits limits;
    /** Time the statements given to {@link #run} have taken so far; they share {@link Limits#time()}. */
    private long spent;
    /** When the statement running now must stop (System.nanoTime), or 0 while none runs. */
    private volatile long deadline;
    private volatile boolean expired;

    private Sandbox(SQLiteConnection connection, Limits limits) {
        this.connection = connection;
        this.limits = limits;
    }

    /** A fresh, empty sandbox. */
    public static Sandbox open(Limits limits) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.enableLoadExtension(false);
        SQLiteConnection connection = config.createConnection("jdbc:sqlite::memory:").unwrap(SQLiteConnection.class);
        try {
            connection.setLimit(SQLiteLimits.SQLITE_LIMIT_ATTACHED, 0);
            connection.setLimit(SQLiteLimits.SQLITE_LIMIT_LENGTH, limits.maxLength());
            connection.setLimit(SQLiteLimits.SQLITE_LIMIT_SQL_LENGTH, limits.maxSqlLength());
            try (Statement st = connection.createStatement()) {
                st.execute("PRAGMA main.max_page_count = " + limits.maxPages());
                st.execute("PRAGMA temp.max_page_count = " + limits.maxPages());
            }
            Sandbox sandbox = new Sandbox(connection, limits);
            ProgressHandler.setHandler(connection, PROGRESS_STEPS, new ProgressHandler() {
                @Override
                protected int progress() {
                    long until = sandbox.deadline;
                    if (until != 0 && System.nanoTime() - until > 0) sandbox.expired = true;
                    return sandbox.expired ? 1 : 0;
                }
            });
            return sandbox;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    public Connection connection() {
        return connection;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Runs one statement of a schema file, or refuses it with its file:line (see {@link StatementRules}).
     * Rows a query returns are never read: only the first is computed, and nothing reaches Java.
     */
    public void run(SqlStatement statement) {
        Optional<StatementRules.Refusal> refusal = StatementRules.check(statement, StatementRules.Context.SCHEMA);
        if (refusal.isPresent()) {
            throw new KeelException(ErrorCode.BAD_INPUT, refusal.get().message(), statement.source() + ":" + refusal.get().line(),
                    "a schema file declares tables, indexes, views and triggers; remove this statement "
                            + "(data migrations belong in --pre/--post SQL)");
        }
        long start = System.nanoTime();
        deadline = start + limits.time().toNanos() - spent;
        try (PreparedStatement ps = connection.prepareStatement(statement.sql())) {
            ps.execute();
        } catch (SQLException e) {
            throw failure(statement, e);
        } finally {
            deadline = 0;
            spent += System.nanoTime() - start;
        }
    }

    /**
     * Checks with SQLite that a fill or using annotation is exactly one expression over its table.
     * Names SQLite cannot resolve are accepted: the expression runs on the live table, which may
     * still have columns (or the database tables) the wanted schema no longer has.
     */
    public void checkExpression(Annotation annotation) {
        String sql = "SELECT (" + annotation.expression().text() + ") FROM " + Identifiers.quote(annotation.table());
        try (PreparedStatement ignored = connection.prepareStatement(sql)) {
            // it parses and resolves: one expression
        } catch (SQLException e) {
            String message = SqlErrors.message(e);
            if (message.startsWith("no such column") || message.startsWith("no such table") || message.startsWith("no such function")) {
                return;
            }
            throw new KeelException(ErrorCode.BAD_INPUT, "annotation '--% " + annotation.kind().spelling() + "="
                    + annotation.value() + "' is not one SQL expression: " + message, annotation.location(),
                    "write one expression after '=', for example --% fill=0 or --% using=CAST(price AS INTEGER)", e);
        }
    }

    /** The error for a schema statement SQLite refused or stopped: time and size limits, or SQLite's message with its line. */
    private KeelException failure(SqlStatement statement, SQLException e) {
        String where = statement.source() + ":" + statement.line();
        if (expired) return timeLimit(where, e);
        if (e instanceof SQLiteException se && se.getResultCode() == SQLiteErrorCode.SQLITE_FULL) {
            return new KeelException(ErrorCode.BAD_INPUT, "the statement fills the scratch database, which may hold "
                    + limits.size() + ": schema files describe the schema, not bulk data", where,
                    "remove the statement (load data with --pre/--post SQL or in the application)", e);
        }
        String message = SqlErrors.message(e);
        int line = SqlErrors.line(connection, statement, message);
        return new KeelException(ErrorCode.BAD_INPUT, message, statement.source() + ":" + line,
                "fix the statement starting at line " + statement.line() + "; the schema file must be valid SQLite SQL", e);
    }

    /** The error for a statement stopped by the deadline. */
    private KeelException timeLimit(String where, SQLException cause) {
        return new KeelException(ErrorCode.BAD_INPUT, "building the wanted schema took longer than " + limits.duration()
                + " and was stopped here", where,
                "schema files declare the schema; remove long-running queries (such as a recursive CTE without an end)", cause);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
