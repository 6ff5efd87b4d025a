package dev.keel.schema.sql;

/**
 * One lexical token of SQLite SQL, with its original text and where it starts (character offset
 * and 1-based line) so errors and annotations can be traced back to the file.
 */
public record SqlToken(Kind kind, String text, int offset, int line) {

    /** The lexical classes SQLite's quoting rules distinguish. */
    public enum Kind {
        /** A bare word: keyword or unquoted identifier. */
        WORD,
        /** An identifier in "...", [...] or `...`. */
        QUOTED_IDENTIFIER,
        /** A string literal in '...'. */
        STRING,
        /** A numeric literal or blob literal. */
        NUMBER,
        /** A bind parameter such as ?1, :name, @name, $name. */
        PARAMETER,
        /** Operators and punctuation: ( ) , ; . = || and so on. */
        PUNCT,
        /** A line comment (-- to end of line). */
        LINE_COMMENT,
        /** A block comment. */
        BLOCK_COMMENT
    }

    public boolean isComment() {
        return kind == Kind.LINE_COMMENT || kind == Kind.BLOCK_COMMENT;
    }

    /** True for a bare word equal to {@code word}, ignoring case. */
    public boolean isWord(String word) {
        return kind == Kind.WORD && Identifiers.same(text, word);
    }

    public boolean isPunct(String p) {
        return kind == Kind.PUNCT && text.equals(p);
    }

    /** True when this token can name something: bare word, quoted identifier or (as SQLite allows) a string. */
    public boolean isName() {
        return kind == Kind.WORD || kind == Kind.QUOTED_IDENTIFIER || kind == Kind.STRING;
    }

    /** The name this token denotes with quotes removed (for bare words, the word itself). */
    public String name() {
        return switch (kind) {
            case QUOTED_IDENTIFIER -> {
                char open = text.charAt(0);
                String inner = text.substring(1, text.length() - 1);
                yield open == '"' ? inner.replace("\"\"", "\"") : open == '`' ? inner.replace("``", "`") : inner;
            }
            case STRING -> text.substring(1, text.length() - 1).replace("''", "'");
            default -> text;
        };
    }

    @Override
    public String toString() {
        return kind + "(" + text + ")@" + line;
    }
}
