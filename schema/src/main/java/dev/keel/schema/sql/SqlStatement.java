package dev.keel.schema.sql;

import java.util.List;

/**
 * One statement of a SQL script: its executable text, where it came from (file and line) and its
 * tokens, including the comments attached to it (those inside it, on its last line, or just before it).
 */
public record SqlStatement(String source, int line, String sql, List<SqlToken> tokens) {
    public SqlStatement {
        tokens = List.copyOf(tokens);
    }

    /** "file:line" of the statement's first token. */
    public String location() {
        return source + ":" + line;
    }

    /** Tokens without comments. */
    public List<SqlToken> code() {
        return SqlTokenizer.withoutComments(tokens);
    }
}
