package dev.keel.cli.config;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a config file's text with a bound on its size ({@value #MAX_BYTES} bytes: a config file is
 * small, and {@code -config /dev/zero} must not fill memory) and, for pipes and devices, on time (a
 * FIFO whose writer never closes must not hang the command). Anything else is a BAD_INPUT error that
 * names the file and says it is not a config file.
 */
final class ConfigFileReader {
    /** 1 MiB: far above any real config (a thousand databases fit in 200 KB), far below trouble. */
    static final int MAX_BYTES = 1 << 20;
    private static final String WHAT = "a Keel config is a small YAML text file; check the path given to -config or $KEEL_CONFIG";

    private final Duration timeout;

    ConfigFileReader(Duration timeout) {
        this.timeout = timeout;
    }

    String read(Path file) {
        byte[] bytes = Files.isRegularFile(file) ? readRegular(file) : readWithTimeout(file);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new KeelException(ErrorCode.BAD_INPUT, "not a config file: it holds binary data (a NUL byte)",
                        file + ":" + lineAt(bytes, i), WHAT);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new KeelException(ErrorCode.BAD_INPUT, "config file is not UTF-8 text", file.toString(), "save it as UTF-8", e);
        }
    }

    private byte[] readRegular(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) throw tooLarge(file);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
        return readBounded(file);
    }

    /** Pipes and devices may never end or never start: read them on a daemon thread, for a while. */
    private byte[] readWithTimeout(Path file) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                result.complete(readBounded(file));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, "keel-config-reader");
        reader.setDaemon(true); // a FIFO nobody writes blocks in open(), which no interrupt ends
        reader.start();
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            reader.interrupt();
            throw new KeelException(ErrorCode.BAD_INPUT, "not a config file: reading it did not end within "
                    + GoDuration.format(timeout) + " (a pipe or device that never closes?)", file.toString(),
                    "give a regular file, or make sure whatever writes the pipe closes it");
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeelException(ErrorCode.IO, "interrupted while reading the config file", file.toString(), "run the command again");
        }
    }

    private static byte[] readBounded(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) throw tooLarge(file);
            return bytes;
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    private static KeelException tooLarge(Path file) {
        return new KeelException(ErrorCode.BAD_INPUT, "not a config file: it is larger than 1 MiB", file.toString(), WHAT);
    }

    private static KeelException cannotRead(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new KeelException(ErrorCode.NOT_FOUND, "config file not found", file.toString(), "check the path", e);
        }
        String hint = e instanceof AccessDeniedException ? "check the file's permissions" : "check that it is a readable file";
        return new KeelException(ErrorCode.IO, "cannot read config file: " + e.getMessage(), file.toString(), hint, e);
    }

    private static int lineAt(byte[] bytes, int end) {
        int line = 1;
        for (int i = 0; i < end; i++) {
            if (bytes[i] == '\n') line++;
        }
        return line;
    }
}
