package dev.keel.schema.inspect;

import dev.keel.schema.model.Column;
import dev.keel.schema.model.ForeignKey;
import dev.keel.schema.model.Index;
import dev.keel.schema.model.Schema;
import dev.keel.schema.model.Table;
import dev.keel.schema.model.Trigger;
import dev.keel.schema.model.View;
import dev.keel.schema.sql.Normalizer;
import dev.keel.schema.sql.TableDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a database's schema into the model through sqlite_schema and the table/index/foreign-key
 * pragmas. The same inspector reads the live database and the wanted (in-memory) one, so both
 * sides of a comparison are described identically.
 */
public final class Inspector {
    private final Connection connection;

    public Inspector(Connection connection) {
        this.connection = connection;
    }

    /** Inspects the whole main schema. */
    public Schema inspect() throws SQLException {
        return inspect(null);
    }

    /** Inspects one table, or empty when it does not exist. */
    public Optional<Table> table(String name) throws SQLException {
        return inspect(name).table(name);
    }

    private Schema inspect(String onlyTable) throws SQLException {
        Map<String, String[]> kinds = tableKinds();
        List<Table> tables = new ArrayList<>();
        List<View> views = new ArrayList<>();
        List<Trigger> triggers = new ArrayList<>();
        Map<String, List<String>> indexSql = new HashMap<>();
        List<String[]> objects = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT type, name, tbl_name, sql FROM main.sqlite_schema"
                        + (onlyTable == null ? "" : " WHERE tbl_name = ? COLLATE NOCASE") + " ORDER BY rowid")) {
            if (onlyTable != null) ps.setString(1, onlyTable);
            ResultSet rs = ps.executeQuery();
            while (rs.next()) {
                objects.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        for (String[] o : objects) {
            if ("index".equals(o[0]) && o[3] != null) indexSql.put(o[1], List.of(o[3]));
        }
        for (String[] o : objects) {
            String type = o[0];
            String name = o[1];
            if (name.startsWith("sqlite_")) continue;
            switch (type) {
                case "table" -> {
                    String[] kind = kinds.get(name);
                    if (kind == null || "shadow".equals(kind[0])) continue;
                    tables.add(table(name, o[3], "virtual".equals(kind[0]), "1".equals(kind[1]), "1".equals(kind[2]), indexSql));
                }
                case "view" -> views.add(new View(name, o[3]));
                case "trigger" -> triggers.add(new Trigger(name, o[2], o[3]));
                default -> {
                }
            }
        }
        return new Schema(tables, views, triggers);
    }

    private Map<String, String[]> tableKinds() throws SQLException {
        Map<String, String[]> kinds = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                kinds.put(rs.getString(1), new String[]{rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        return kinds;
    }

    private Table table(String name, String sql, boolean virtual, boolean withoutRowid, boolean strict,
                        Map<String, List<String>> indexSql) throws SQLException {
        Optional<TableDefinition> definition = virtual ? Optional.empty() : TableDefinition.parse(sql);
        List<Column> columns = new ArrayList<>();
        if (!virtual) {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String columnName = rs.getString(1);
                        Optional<TableDefinition.ColumnDefinition> def = definition.flatMap(d -> d.column(columnName));
                        columns.add(new Column(columnName, rs.getString(2), rs.getInt(3) != 0, rs.getString(4),
                                rs.getInt(5), Column.generatedFrom(rs.getInt(6)),
                                def.map(TableDefinition.ColumnDefinition::normalized).orElse(""),
                                def.map(TableDefinition.ColumnDefinition::text).orElse(columnName)));
                    }
                }
            }
        }
        return new Table(name, sql, virtual, withoutRowid, strict, columns, virtual ? List.of() : indexes(name, indexSql),
                virtual ? List.of() : foreignKeys(name), definition);
    }

    private List<Index> indexes(String table, Map<String, List<String>> indexSql) throws SQLException {
        List<Index> out = new ArrayList<>();
        List<Object[]> list = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY seq DESC")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(new Object[]{rs.getString(1), rs.getInt(2) != 0, rs.getString(3), rs.getInt(4) != 0});
                }
            }
        }
        for (Object[] i : list) {
            String name = (String) i[0];
            List<String> columns = new ArrayList<>();
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT cid, name FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) columns.add(rs.getInt(1) == -2 ? null : rs.getString(2));
                }
            }
            List<String> sql = indexSql.get(name);
            out.add(new Index(name, table, sql == null ? null : sql.get(0), (Boolean) i[1], (String) i[2], (Boolean) i[3], columns));
        }
        return out;
    }

    private List<ForeignKey> foreignKeys(String table) throws SQLException {
        Map<Integer, ForeignKey> byId = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int id = rs.getInt(1);
                    ForeignKey prev = byId.get(id);
                    List<String> from = new ArrayList<>(prev == null ? List.of() : prev.from());
                    List<String> to = new ArrayList<>(prev == null ? List.of() : prev.to());
                    from.add(rs.getString(3));
                    to.add(rs.getString(4));
                    byId.put(id, new ForeignKey(table, rs.getString(2), from, to, rs.getString(5), rs.getString(6)));
                }
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** Canonical text of a CREATE statement, for comparing views, triggers, indexes and virtual tables. */
    public static String normalized(String sql) {
        return sql == null ? "" : Normalizer.normalize(sql);
    }
}
