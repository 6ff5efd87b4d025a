package dev.keel.schema.inspect;

import dev.keel.schema.model.Column;
import dev.keel.schema.model.ForeignKey;
import dev.keel.schema.model.Index;
import dev.keel.schema.model.ReplicationTables;
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
 * sides of a comparison are described identically. Each pragma is joined against sqlite_schema in
 * one query, so inspecting hundreds of tables costs a handful of statements.
 */
public final class Inspector {
    private static final String COLUMNS = "FROM main.sqlite_schema m JOIN pragma_table_xinfo(m.name) p"
            + " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

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

    private Schema inspect(String only) throws SQLException {
        String filter = only == null ? "" : " AND m.tbl_name = ? COLLATE NOCASE";
        Map<String, String[]> kinds = new HashMap<>();
        query("SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'", null,
                rs -> kinds.put(rs.getString(1), new String[]{rs.getString(2), rs.getString(3), rs.getString(4)}));
        Map<String, List<Column>> columns = new HashMap<>();
        Map<String, Optional<TableDefinition>> definitions = new HashMap<>();
        Map<String, String> tableSql = new LinkedHashMap<>();
        List<View> views = new ArrayList<>();
        List<Trigger> triggers = new ArrayList<>();
        List<String> replicationTables = new ArrayList<>();
        query("SELECT type, name, tbl_name, sql FROM main.sqlite_schema m WHERE m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                + filter + " ORDER BY rowid", only, rs -> {
            if (ReplicationTables.owns(rs.getString(3))) {
                if ("table".equals(rs.getString(1))) replicationTables.add(rs.getString(2));
                return; // replication's tables, with their indexes and triggers, are not the application's schema
            }
            switch (rs.getString(1)) {
                case "table" -> tableSql.put(rs.getString(2), rs.getString(4));
                case "view" -> views.add(new View(rs.getString(2), rs.getString(4)));
                case "trigger" -> triggers.add(new Trigger(rs.getString(2), rs.getString(3), rs.getString(4)));
                default -> {
                }
            }
        });
        query("SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden "
                + COLUMNS + filter.replace("tbl_name", "name") + " AND m.sql NOT LIKE 'CREATE VIRTUAL%'", only, rs -> {
            String table = rs.getString(1);
            String name = rs.getString(2);
            Optional<TableDefinition> definition = definitions.computeIfAbsent(table, t -> TableDefinition.parse(tableSql.getOrDefault(t, "")));
            Optional<TableDefinition.ColumnDefinition> def = definition.flatMap(d -> d.column(name));
            columns.computeIfAbsent(table, t -> new ArrayList<>()).add(new Column(name, rs.getString(3), rs.getInt(4) != 0,
                    rs.getString(5), rs.getInt(6), Column.generatedFrom(rs.getInt(7)),
                    def.map(ColumnDefinitions::canonical).orElse(""),
                    def.map(TableDefinition.ColumnDefinition::text).orElse(name)));
        }, "cid");
        Map<String, List<Index>> indexes = indexes(only, filter.replace("tbl_name", "name"));
        Map<String, List<ForeignKey>> foreignKeys = foreignKeys(only, filter.replace("tbl_name", "name"));
        List<Table> tables = new ArrayList<>();
        for (Map.Entry<String, String> e : tableSql.entrySet()) {
            String name = e.getKey();
            String[] kind = kinds.get(name);
            if (kind == null || "shadow".equals(kind[0])) continue;
            boolean virtual = "virtual".equals(kind[0]);
            tables.add(new Table(name, e.getValue(), virtual, "1".equals(kind[1]), "1".equals(kind[2]),
                    virtual ? List.of() : columns.getOrDefault(name, List.of()),
                    virtual ? List.of() : indexes.getOrDefault(name, List.of()),
                    virtual ? List.of() : foreignKeys.getOrDefault(name, List.of()),
                    virtual ? Optional.empty() : definitions.getOrDefault(name, TableDefinition.parse(e.getValue()))));
        }
        return new Schema(tables, views, triggers, replicationTables);
    }

    private Map<String, List<Index>> indexes(String only, String filter) throws SQLException {
        // index rows in creation order (sqlite_schema rowid), key columns in order; cid -2 is an expression
        Map<String, Map<String, Object[]>> byTable = new LinkedHashMap<>();
        query("SELECT m.name, il.name, il.\"unique\", il.origin, il.partial, s.sql, ii.cid, ii.name "
                + "FROM main.sqlite_schema m JOIN pragma_index_list(m.name) il "
                + "JOIN pragma_index_xinfo(il.name) ii LEFT JOIN main.sqlite_schema s ON s.type = 'index' AND s.name = il.name "
                + "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.sql NOT LIKE 'CREATE VIRTUAL%' AND ii.key = 1"
                + filter + " ORDER BY m.name, s.rowid, ii.seqno", only, rs -> {
            Map<String, Object[]> table = byTable.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>());
            Object[] row = {rs.getInt(3) != 0, rs.getString(4), rs.getInt(5) != 0, rs.getString(6), new ArrayList<String>()};
            Object[] index = table.computeIfAbsent(rs.getString(2), n -> row);
            @SuppressWarnings("unchecked")
            List<String> keys = (List<String>) index[4];
            keys.add(rs.getInt(7) == -2 ? null : rs.getString(8));
        });
        Map<String, List<Index>> out = new HashMap<>();
        for (Map.Entry<String, Map<String, Object[]>> t : byTable.entrySet()) {
            List<Index> list = new ArrayList<>();
            for (Map.Entry<String, Object[]> i : t.getValue().entrySet()) {
                Object[] v = i.getValue();
                @SuppressWarnings("unchecked")
                List<String> keys = (List<String>) v[4];
                list.add(new Index(i.getKey(), t.getKey(), (String) v[3], (Boolean) v[0], (String) v[1], (Boolean) v[2], keys));
            }
            out.put(t.getKey(), list);
        }
        return out;
    }

    private Map<String, List<ForeignKey>> foreignKeys(String only, String filter) throws SQLException {
        Map<String, Map<Integer, ForeignKey>> byTable = new LinkedHashMap<>();
        query("SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete "
                + "FROM main.sqlite_schema m JOIN pragma_foreign_key_list(m.name) f "
                + "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.sql NOT LIKE 'CREATE VIRTUAL%'"
                + filter + " ORDER BY m.name, f.id, f.seq", only, rs -> {
            String table = rs.getString(1);
            Map<Integer, ForeignKey> keys = byTable.computeIfAbsent(table, t -> new LinkedHashMap<>());
            ForeignKey prev = keys.get(rs.getInt(2));
            List<String> from = new ArrayList<>(prev == null ? List.of() : prev.from());
            List<String> to = new ArrayList<>(prev == null ? List.of() : prev.to());
            from.add(rs.getString(4));
            to.add(rs.getString(5));
            keys.put(rs.getInt(2), new ForeignKey(table, rs.getString(3), from, to, rs.getString(6), rs.getString(7)));
        });
        Map<String, List<ForeignKey>> out = new HashMap<>();
        byTable.forEach((t, keys) -> out.put(t, new ArrayList<>(keys.values())));
        return out;
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, String only, RowReader reader) throws SQLException {
        query(sql, only, reader, null);
    }

    private void query(String sql, String only, RowReader reader, String orderColumn) throws SQLException {
        String full = orderColumn == null ? sql : sql + " ORDER BY m.rowid, p." + orderColumn;
        try (PreparedStatement ps = connection.prepareStatement(full)) {
            if (only != null && full.contains("?")) ps.setString(1, only);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) reader.read(rs);
            }
        }
    }

    /** Canonical text of a CREATE statement, for comparing views, triggers, indexes and virtual tables. */
    public static String normalized(String sql) {
        return sql == null ? "" : Normalizer.normalize(sql);
    }
}
