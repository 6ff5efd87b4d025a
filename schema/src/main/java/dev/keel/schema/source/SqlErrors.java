package dev.keel.schema.source;

import dev.keel.schema.sql.SqlStatement;
import dev.keel.schema.sql.SqlToken;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns SQLite errors into file:line. sqlite-jdbc does not report error offsets, so for a syntax
 * error the statement's token prefixes are prepared (binary search) to find the first one SQLite
 * rejects for a reason other than "incomplete input": its last token is where the error is.
 */
public final class SqlErrors {
    private static final Pattern INNER = Pattern.compile("\\((.*)\\)\\s*$", Pattern.DOTALL);
    private static final Pattern NAMED = Pattern.compile(":\\s*(?:main\\.)?([^\\s:]+)\\s*$");

    private SqlErrors() {
    }

    /** SQLite's own message without sqlite-jdbc's "[SQLITE_ERROR] SQL error or missing database (...)" wrapping. */
    public static String message(SQLException e) {
        String m = String.valueOf(e.getMessage());
        if (m.startsWith("[SQLITE_")) {
            Matcher matcher = INNER.matcher(m);
            if (matcher.find()) return matcher.group(1);
        }
        return m;
    }

    /** The line within its file where {@code statement} failed with {@code message}. */
    public static int line(Connection connection, SqlStatement statement, String message) {
        List<SqlToken> code = statement.code();
        if (message.contains("syntax error") || message.contains("unrecognized token")) {
            int offset0 = code.get(0).offset();
            int lo = 1;
            int hi = code.size();
            // find the shortest prefix that fails with something other than "incomplete input"
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                SqlToken last = code.get(mid - 1);
                String prefix = statement.sql().substring(0, last.offset() + last.text().length() - offset0);
                if (fails(connection, prefix)) hi = mid;
                else lo = mid + 1;
            }
            return code.get(Math.min(lo, code.size()) - 1).line();
        }
        Matcher named = NAMED.matcher(message);
        if (named.find()) {
            String name = named.group(1);
            for (SqlToken t : code) {
                if (t.isName() && t.name().equalsIgnoreCase(name)) return t.line();
            }
        }
        return statement.line();
    }

    private static boolean fails(Connection connection, String sql) {
        try (PreparedStatement ignored = connection.prepareStatement(sql)) {
            return false;
        } catch (SQLException e) {
            return !message(e).contains("incomplete input");
        }
    }
}
