package dev.keel.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what is written to {@code System.err} (where slf4j-simple logs) while it is open, and still
 * passes it through, so a test can check that logs never contain a secret.
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private LogCapture() {
    }

    /** Starts capturing {@code System.err}. */
    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (capture.captured) {
                    capture.captured.write(b);
                }
                capture.original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (capture.captured) {
                    capture.captured.write(b, off, len);
                }
                capture.original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        return capture;
    }

    /** Everything captured so far. */
    public String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /** Restores the original {@code System.err}. */
    @Override
    public void close() {
        System.setErr(original);
    }
}
