package dev.keel.schema.source;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.inspect.Inspector;
import dev.keel.schema.model.Schema;
import dev.keel.schema.sql.SqlStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema a user wants: the schema files executed statement by statement in a {@link Sandbox}
 * (SQLite itself is the parser), inspected into the model, plus the annotations they carry.
 */
public record WantedSchema(Schema schema, Annotations annotations, String description) {

    /** Runs {@code source} in a sandbox with the default limits. */
    public static WantedSchema load(SchemaSource source) {
        return load(source, Sandbox.Limits.DEFAULT);
    }

    /**
     * Runs {@code source} in a sandbox with {@code limits}; a failing or refused statement, an
     * annotation that is not what it should be, or running out of time or space is reported with
     * its file:line.
     */
    public static WantedSchema load(SchemaSource source, Sandbox.Limits limits) {
        try (Sandbox sandbox = Sandbox.open(limits)) {
            List<Annotation> annotations = new ArrayList<>();
            for (SqlStatement statement : source.statements()) {
                annotations.addAll(AnnotationReader.read(statement));
                sandbox.run(statement);
            }
            for (Annotation a : annotations) {
                if (a.kind().takesExpression()) sandbox.checkExpression(a);
            }
            return new WantedSchema(new Inspector(sandbox.connection()).inspect(), new Annotations(annotations), source.description());
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.FAILURE, "cannot inspect the wanted schema: " + SqlErrors.message(e),
                    source.description(), null, e);
        }
    }
}
