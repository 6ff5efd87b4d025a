package dev.keel.schema.source;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.sql.SqlExpression;
import dev.keel.schema.sql.SqlStatement;
import dev.keel.schema.sql.SqlToken;
import dev.keel.schema.sql.SqlTokenizer;
import dev.keel.schema.sql.TableDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds {@code --%} comments in schema statements and attaches each to the column definition it
 * follows on the same line, or else to the next one; table-level annotations may sit anywhere in
 * the CREATE TABLE statement.
 */
public final class AnnotationReader {
    private static final String HINT = "annotations are: --% renamed table=OLD, --% renamed column=OLD, "
            + "--% fill=EXPR (new column), --% using=EXPR (converted column)";

    private AnnotationReader() {
    }

    /** The annotations in {@code statement}, or an empty list when it has none. */
    public static List<Annotation> read(SqlStatement statement) {
        List<SqlToken> tokens = statement.tokens();
        if (tokens.stream().noneMatch(AnnotationReader::isAnnotation)) return List.of();
        String table = TableDefinition.parse(statement.sql()).map(TableDefinition::name).orElse(null);
        List<Annotation> out = new ArrayList<>();
        // segment bookkeeping: which top-level column definition each token belongs to
        List<String> segmentNames = new ArrayList<>();
        int depth = 0;
        int segment = -1;
        boolean segmentStarted = false;
        SqlToken lastCode = null;
        int lastCodeSegment = -1;
        List<Object[]> pending = new ArrayList<>();
        for (SqlToken t : tokens) {
            if (t.isComment()) {
                if (!isAnnotation(t)) continue;
                boolean sameLine = lastCode != null && lastCode.line() == t.line() && depth >= 1 && lastCodeSegment >= 0;
                if (sameLine) {
                    out.add(annotation(statement, t, table, segmentNames.get(lastCodeSegment)));
                } else {
                    pending.add(new Object[]{t});
                }
                continue;
            }
            if (t.isPunct("(")) {
                depth++;
                if (depth == 1 && segment < 0) {
                    segment = 0;
                    segmentStarted = false;
                    lastCode = t;
                    lastCodeSegment = -1;
                    continue;
                }
            } else if (t.isPunct(")")) {
                depth--;
            } else if (t.isPunct(",") && depth == 1) {
                segment++;
                segmentStarted = false;
                lastCode = t;
                continue;
            }
            if (depth >= 1 && segment >= 0 && !segmentStarted) {
                segmentStarted = true;
                segmentNames.add(t.name());
                boolean constraint = t.kind() == SqlToken.Kind.WORD && List.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN")
                        .stream().anyMatch(t::isWord);
                if (constraint) segmentNames.set(segmentNames.size() - 1, null);
                for (Object[] p : pending) out.add(annotation(statement, (SqlToken) p[0], table, segmentNames.get(segmentNames.size() - 1)));
                pending.clear();
            }
            lastCode = t;
            lastCodeSegment = depth >= 1 ? segmentNames.size() - 1 : -1;
        }
        for (Object[] p : pending) out.add(annotation(statement, (SqlToken) p[0], table, null));
        return out;
    }

    static boolean isAnnotation(SqlToken t) {
        return t.kind() == SqlToken.Kind.LINE_COMMENT && t.text().startsWith("--%");
    }

    private static Annotation annotation(SqlStatement statement, SqlToken comment, String table, String column) {
        String location = statement.source() + ":" + comment.line();
        String body = comment.text().substring(3).trim();
        if (table == null) {
            throw bad(location, "annotation '" + comment.text().trim() + "' is not inside a CREATE TABLE statement");
        }
        Annotation.Kind kind;
        String value;
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("renamed")) {
            String rest = body.substring("renamed".length()).trim();
            int eq = rest.indexOf('=');
            if (eq < 0) throw bad(location, "annotation '" + body + "' needs table=OLD or column=OLD");
            String what = rest.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
            value = nameValue(rest.substring(eq + 1).trim(), location);
            kind = switch (what) {
                case "table" -> Annotation.Kind.RENAMED_TABLE;
                case "column" -> Annotation.Kind.RENAMED_COLUMN;
                default -> throw bad(location, "annotation '" + body + "' renames a '" + what + "'; only table and column can be renamed");
            };
        } else if (lower.startsWith("fill") || lower.startsWith("using")) {
            int eq = body.indexOf('=');
            if (eq < 0 || body.substring(eq + 1).isBlank()) throw bad(location, "annotation '" + body + "' needs an expression after '='");
            kind = lower.startsWith("fill") ? Annotation.Kind.FILL : Annotation.Kind.USING;
            value = expression(body, body.substring(eq + 1), location);
        } else {
            throw bad(location, "unknown annotation '" + comment.text().trim() + "'");
        }
        if (kind == Annotation.Kind.RENAMED_TABLE) return new Annotation(kind, table, null, value, location);
        if (column == null) {
            throw bad(location, "annotation '" + body + "' must follow a column definition of table " + table);
        }
        return new Annotation(kind, table, column, value, location);
    }

    /** The checked expression text of a fill or using annotation (a trailing -- comment is not part of it). */
    private static String expression(String body, String text, String location) {
        try {
            return SqlExpression.inAnnotation(text).text();
        } catch (IllegalArgumentException e) {
            throw new KeelException(ErrorCode.BAD_INPUT, "annotation '" + body + "' is not one SQL expression: " + e.getMessage(),
                    location, "write one expression after '=', for example --% fill=0 or --% using=CAST(price AS INTEGER); "
                    + "a -- comment may follow it");
        }
    }

    private static String nameValue(String text, String location) {
        List<SqlToken> tokens = SqlTokenizer.withoutComments(SqlTokenizer.tokenize(text));
        if (tokens.size() != 1 || !tokens.get(0).isName()) {
            throw bad(location, "'" + text + "' is not a single table or column name");
        }
        return tokens.get(0).name();
    }

    private static KeelException bad(String location, String message) {
        return new KeelException(ErrorCode.BAD_INPUT, message, location, HINT);
    }
}
