package dev.keel.schema.source;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.sql.SqlScript;
import dev.keel.schema.sql.SqlStatement;
import dev.keel.schema.sql.SqlToken;
import dev.keel.schema.sql.SqlTokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The text of a wanted schema: one {@code .sql} file, a directory of them read in name order, or a
 * string given by an application; split into statements that remember their file and line. Text
 * is bounded in size, must be UTF-8 and may not contain NUL characters (SQLite would stop reading
 * there, so what runs would differ from what was checked).
 */
public record SchemaSource(List<SqlStatement> statements, String description) {
    /**
     * The most SQL Keel reads as one schema (all files of a directory together) or one pre/post
     * script: far more than a schema needs, while its tokens still fit comfortably in memory.
     */
    public static final int MAX_CHARS = 4 << 20;

    public SchemaSource {
        statements = List.copyOf(statements);
    }

    /** Reads a file or every {@code *.sql} file of a directory (sorted by name). */
    public static SchemaSource read(Path path) {
        if (!Files.exists(path)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "schema file does not exist", path.toString(),
                    "pass --schema a .sql file or a directory of .sql files");
        }
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                list.filter(p -> p.getFileName().toString().endsWith(".sql") && Files.isRegularFile(p))
                        .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                        .forEach(files::add);
            } catch (IOException e) {
                throw new KeelException(ErrorCode.IO, "cannot list schema directory: " + e.getMessage(), path.toString(), null, e);
            }
            if (files.isEmpty()) {
                throw new KeelException(ErrorCode.BAD_INPUT, "schema directory has no .sql files", path.toString(),
                        "put the schema in one or more .sql files; they are read in name order");
            }
        } else {
            files.add(path);
        }
        List<SqlStatement> statements = new ArrayList<>();
        long total = 0;
        for (Path file : files) {
            String text = readText(file);
            total += text.length();
            if (total > MAX_CHARS) throw tooLarge(path.toString());
            statements.addAll(SqlScript.split(file.toString(), text));
        }
        return new SchemaSource(statements, path.toString());
    }

    /** A schema given as text (for applications that keep it as a resource); {@code name} appears in errors. */
    public static SchemaSource of(String name, String sql) {
        if (sql.length() > MAX_CHARS) throw tooLarge(name);
        return new SchemaSource(SqlScript.split(name, checked(name, sql)), name);
    }

    /**
     * A script of plain SQL (pre/post migration SQL) read from a file. It runs on the live database,
     * so it may change data, but statements that reach other files are refused ({@link StatementRules}).
     */
    public static SchemaSource script(Path file) {
        return script(file, StatementRules.Context.SCRIPT);
    }

    /** A script of plain SQL read from a file, checked by the rules of {@code context} (pre/post SQL, scrub SQL). */
    public static SchemaSource script(Path file, StatementRules.Context context) {
        if (!Files.isRegularFile(file)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "SQL file does not exist", file.toString(), "check the path");
        }
        List<SqlStatement> statements = SqlScript.split(file.toString(), readText(file));
        for (SqlStatement statement : statements) {
            StatementRules.check(statement, context).ifPresent(r -> {
                throw new KeelException(ErrorCode.BAD_INPUT, r.message(), statement.source() + ":" + r.line(),
                        "remove the statement; nothing was changed");
            });
        }
        return new SchemaSource(statements, file.toString());
    }

    private static String readText(Path file) {
        try {
            if (Files.size(file) > MAX_CHARS) throw tooLarge(file.toString());
            byte[] bytes = Files.readAllBytes(file);
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            CharBuffer out = CharBuffer.allocate(bytes.length);
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) result = decoder.flush(out);
            if (result.isError()) {
                throw new KeelException(ErrorCode.BAD_INPUT, "the file is not UTF-8 text (invalid byte at offset " + in.position() + ")",
                        file + ":" + lineAt(bytes, in.position()), "save the SQL file as UTF-8");
            }
            return checked(file.toString(), out.flip().toString());
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot read: " + e.getMessage(), file.toString(), null, e);
        }
    }

    /**
     * {@code text}, refused when it holds a NUL character, or a block comment that is never closed:
     * SQLite ends such a comment at the end of the text, so every statement after it would be ignored
     * without a word (and a schema missing its tables plans to drop them).
     */
    private static String checked(String name, String text) {
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            int line = (int) text.substring(0, nul).chars().filter(c -> c == '\n').count() + 1;
            throw new KeelException(ErrorCode.BAD_INPUT, "the SQL text contains a NUL character", name + ":" + line,
                    "remove it; to store a NUL in data use a blob literal such as x'00'");
        }
        for (SqlToken t : SqlTokenizer.tokenize(text)) {
            if (t.kind() == SqlToken.Kind.BLOCK_COMMENT && (t.text().length() < 4 || !t.text().endsWith("*/"))) {
                throw new KeelException(ErrorCode.BAD_INPUT, "a /* comment starts here and is never closed, so everything after it "
                        + "would be ignored", name + ":" + t.line(), "close the comment with */");
            }
        }
        return text;
    }

    private static int lineAt(byte[] bytes, int position) {
        int line = 1;
        for (int i = 0; i < position && i < bytes.length; i++) {
            if (bytes[i] == '\n') line++;
        }
        return line;
    }

    private static KeelException tooLarge(String name) {
        return new KeelException(ErrorCode.BAD_INPUT, "the SQL text is larger than " + (MAX_CHARS >> 20) + " MiB", name,
                "schema files describe the schema; load bulk data some other way");
    }
}
