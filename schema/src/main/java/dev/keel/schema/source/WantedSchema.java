package dev.keel.schema.source;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.inspect.Inspector;
import dev.keel.schema.model.Schema;
import dev.keel.schema.sql.SqlStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema a user wants: the schema files executed statement by statement in a fresh in-memory
 * SQLite (SQLite itself is the parser), inspected into the model, plus the annotations they carry.
 */
public record WantedSchema(Schema schema, Annotations annotations, String description) {

    /** Runs {@code source} in memory; a failing statement is reported with its file:line and SQLite's message. */
    public static WantedSchema load(SchemaSource source) {
        try (Connection memory = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            List<Annotation> annotations = new ArrayList<>();
            try (Statement st = memory.createStatement()) {
                for (SqlStatement statement : source.statements()) {
                    annotations.addAll(AnnotationReader.read(statement));
                    try {
                        st.execute(statement.sql());
                    } catch (SQLException e) {
                        String message = SqlErrors.message(e);
                        int line = SqlErrors.line(memory, statement, message);
                        throw new KeelException(ErrorCode.BAD_INPUT, message, statement.source() + ":" + line,
                                "fix the statement starting at line " + statement.line()
                                        + "; the schema file must be valid SQLite SQL", e);
                    }
                }
            }
            return new WantedSchema(new Inspector(memory).inspect(), new Annotations(annotations), source.description());
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.FAILURE, "cannot inspect the wanted schema: " + SqlErrors.message(e),
                    source.description(), null, e);
        }
    }
}
