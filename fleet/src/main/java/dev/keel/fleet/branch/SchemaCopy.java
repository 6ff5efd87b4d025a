package dev.keel.fleet.branch;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Copies a database's schema and none of its rows: tables (virtual tables with their modules, not
 * their shadow tables), views, indexes and triggers, as {@code sqlite_schema} holds them, plus the
 * settings a file carries (page size, auto_vacuum, encoding, user_version, application_id) and the
 * journal mode. Everything is read under one read transaction of a read-only connection.
 */
final class SchemaCopy {
    private SchemaCopy() {
    }

    static BranchOrigin.Live copy(Path source, Path dest) {
        String mode = LiveCopy.journalMode(source);
        try (Connection in = LiveCopy.openReadOnly(source)) {
            in.setAutoCommit(false); // one read transaction: settings and schema of one state
            Instant at = Instant.now();
            Snapshot snapshot = read(in);
            in.rollback();
            write(snapshot, mode, dest);
            return new BranchOrigin.Live(at, mode);
        } catch (SQLException e) {
            throw LiveCopy.failure(e, source, dest);
        }
    }

    private record Snapshot(long pageSize, long autoVacuum, String encoding, long userVersion, long applicationId,
                            List<String> statements) {
    }

    private static Snapshot read(Connection in) throws SQLException {
        try (Statement s = in.createStatement()) {
            Set<String> shadow = new HashSet<>();
            try (ResultSet rs = s.executeQuery("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'")) {
                while (rs.next()) shadow.add(rs.getString(1));
            }
            List<String> statements = new ArrayList<>();
            // Tables first, then views, indexes and triggers: each may refer only to what comes before it.
            try (ResultSet rs = s.executeQuery("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL"
                    + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1"
                    + " WHEN 'index' THEN 2 ELSE 3 END, rowid")) {
                while (rs.next()) {
                    if (!rs.getString(1).equals("table") || !shadow.contains(rs.getString(2))) statements.add(rs.getString(3));
                }
            }
            return new Snapshot(pragma(s, "page_size"), pragma(s, "auto_vacuum"), text(s, "encoding"),
                    pragma(s, "user_version"), pragma(s, "application_id"), statements);
        }
    }

    private static void write(Snapshot snapshot, String mode, Path dest) throws SQLException {
        try (Connection out = DriverManager.getConnection("jdbc:sqlite:" + dest); Statement s = out.createStatement()) {
            s.execute("PRAGMA page_size=" + snapshot.pageSize());
            s.execute("PRAGMA auto_vacuum=" + snapshot.autoVacuum());
            s.execute("PRAGMA encoding='" + snapshot.encoding().replace("'", "''") + "'");
            s.execute("PRAGMA synchronous=OFF");
            out.setAutoCommit(false);
            for (String sql : snapshot.statements()) s.execute(sql);
            s.execute("PRAGMA user_version=" + snapshot.userVersion());
            s.execute("PRAGMA application_id=" + snapshot.applicationId());
            out.commit();
            out.setAutoCommit(true);
            if (mode.equals("wal")) s.execute("PRAGMA journal_mode=WAL");
        }
    }

    private static long pragma(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static String text(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getString(1) : "UTF-8";
        }
    }
}
