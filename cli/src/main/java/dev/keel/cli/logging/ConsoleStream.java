package dev.keel.cli.logging;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The process's stdout or stderr as it is at each write, not as it was when logging started: a
 * command that wraps {@code System.err} (to hide secrets) or a test that captures it sees every line.
 */
final class ConsoleStream extends OutputStream {
    private final boolean stderr;

    ConsoleStream(boolean stderr) {
        this.stderr = stderr;
    }

    private PrintStream target() {
        return stderr ? System.err : System.out;
    }

    @Override
    public void write(int b) {
        target().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        target().write(b, off, len);
    }

    @Override
    public void flush() {
        target().flush();
    }

    @Override
    public void close() {
        flush(); // never closes the process's own stream
    }
}
