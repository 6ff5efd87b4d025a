package dev.keel.fleet;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of database paths in a text file ({@code --from-file}): one path per line, blank lines and
 * lines starting with {@code #} ignored, relative paths resolved against the file's directory. The
 * file is bounded in size, line count and line length; every error names {@code file:line}.
 */
final class ListFile {
    static final long MAX_BYTES = 16L << 20;
    static final int MAX_LINES = 1_000_000;
    static final int MAX_LINE_LENGTH = 4096;

    /** A path read from the list, and where it was written (for errors). */
    record Entry(Path path, String where) {
    }

    private ListFile() {
    }

    static List<Entry> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "list file does not exist or is not a regular file", file.toString(),
                    "--from-file takes a text file with one database path per line");
        }
        Path base = file.toAbsolutePath().getParent();
        List<Entry> entries = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             BufferedReader in = new BufferedReader(new java.io.InputStreamReader(bounded(raw, file),
                     StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)))) {
            int number = 0;
            String line;
            while ((line = in.readLine()) != null) {
                number++;
                String where = file + ":" + number;
                if (number > MAX_LINES) {
                    throw bad("the list has more than " + MAX_LINES + " lines", where, "split the fleet into several lists");
                }
                if (line.length() > MAX_LINE_LENGTH) {
                    throw bad("line is longer than " + MAX_LINE_LENGTH + " characters", where, "write one database path per line");
                }
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) continue;
                if (text.chars().anyMatch(Character::isISOControl)) {
                    throw bad("the path holds a control character", where, "write one database path per line, as plain text");
                }
                try {
                    entries.add(new Entry(base.resolve(text).normalize(), where));
                } catch (InvalidPathException e) {
                    throw bad("not a valid path: " + e.getReason(), where, "write one database path per line");
                }
            }
        } catch (CharacterCodingException e) {
            throw bad("the list is not UTF-8 text", file.toString(), "save it as UTF-8 with one database path per line");
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot read the list: " + e.getMessage(), file.toString(), "check its permissions", e);
        }
        return entries;
    }

    /** Stops reading a list that is larger than {@link #MAX_BYTES} (a pipe or device included). */
    private static InputStream bounded(InputStream in, Path file) {
        return new java.io.FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) count(1);
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) count(n);
                return n;
            }

            private void count(int n) {
                read += n;
                if (read > MAX_BYTES) {
                    throw bad("the list is larger than " + (MAX_BYTES >> 20) + " MiB", file.toString(),
                            "point --from-file at a list of database paths, one per line");
                }
            }
        };
    }

    private static KeelException bad(String message, String where, String hint) {
        return new KeelException(ErrorCode.BAD_INPUT, message, where, hint);
    }
}
