package dev.keel.schema;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.model.ReplicationTables;
import dev.keel.schema.source.SchemaSource;
import dev.keel.schema.sql.SqlStatement;
import dev.keel.schema.sql.SqlToken;
import java.util.List;

/**
 * Refuses a schema that declares a table under a name replication reserves ({@code _keel_*},
 * {@code _litestream_*}): migrations never create, change or drop such tables, so a declaration
 * would silently do nothing. Replication's own tables themselves ({@code _keel_seq}, ...) pass:
 * a schema dumped from a replicated database declares them, and they exist already.
 */
final class ReservedTables {
    private ReservedTables() {
    }

    static void refuseDeclared(SchemaSource schema) {
        for (SqlStatement statement : schema.statements()) {
            SqlToken name = createdTable(statement.code());
            if (name == null || !ReplicationTables.owns(name.name()) || ReplicationTables.isBookkeeping(name.name())) continue;
            throw new KeelException(ErrorCode.BAD_INPUT, "table " + name.name() + " has a name reserved for the tables "
                    + "replication keeps in the database (" + String.join("*, ", ReplicationTables.PREFIXES) + "*)",
                    statement.source() + ":" + name.line(),
                    "rename the table; if the schema was dumped from a replicated database, delete this statement "
                            + "(Keel and Litestream create these tables themselves, and migrations leave them alone)");
        }
    }

    /** The name token of {@code CREATE [TEMP] [VIRTUAL] TABLE [IF NOT EXISTS] [schema.]name}, or null. */
    private static SqlToken createdTable(List<SqlToken> code) {
        int i = 0;
        if (code.isEmpty() || !code.get(i++).isWord("CREATE")) return null;
        if (i < code.size() && (code.get(i).isWord("TEMP") || code.get(i).isWord("TEMPORARY"))) i++;
        if (i < code.size() && code.get(i).isWord("VIRTUAL")) i++;
        if (i >= code.size() || !code.get(i++).isWord("TABLE")) return null;
        if (i + 2 < code.size() && code.get(i).isWord("IF") && code.get(i + 1).isWord("NOT") && code.get(i + 2).isWord("EXISTS")) i += 3;
        if (i + 2 < code.size() && code.get(i + 1).isPunct(".")) i += 2;
        return i < code.size() && code.get(i).isName() ? code.get(i) : null;
    }
}
