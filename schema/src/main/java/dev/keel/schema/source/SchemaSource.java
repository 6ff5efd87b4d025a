package dev.keel.schema.source;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.sql.SqlScript;
import dev.keel.schema.sql.SqlStatement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The text of a wanted schema: one {@code .sql} file, a directory of them read in name order, or a
 * string given by an application; split into statements that remember their file and line.
 */
public record SchemaSource(List<SqlStatement> statements, String description) {
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
        for (Path file : files) {
            statements.addAll(SqlScript.split(file.toString(), readText(file)));
        }
        return new SchemaSource(statements, path.toString());
    }

    /** A schema given as text (for applications that keep it as a resource); {@code name} appears in errors. */
    public static SchemaSource of(String name, String sql) {
        return new SchemaSource(SqlScript.split(name, sql), name);
    }

    /** A script of plain SQL (pre/post migration SQL) read from a file. */
    public static SchemaSource script(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "SQL file does not exist", file.toString(), "check the path");
        }
        return new SchemaSource(SqlScript.split(file.toString(), readText(file)), file.toString());
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot read: " + e.getMessage(), file.toString(), null, e);
        }
    }
}
