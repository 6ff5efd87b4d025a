package dev.keel.cli.output;

import java.io.PrintStream;

/**
 * A print stream that hides secrets in every string printed through it, for the daemon's log:
 * the logger writes whole lines with {@code println(String)}, stack traces with {@code println(Object)}.
 */
public final class RedactingPrintStream extends PrintStream {
    private final PrintStream target;
    private final Redaction redaction;

    private RedactingPrintStream(PrintStream target, Redaction redaction) {
        super(target, true);
        this.target = target;
        this.redaction = redaction;
    }

    /** A stream printing to what {@code current} prints to (never a wrapper of a wrapper), hiding what {@code redaction} knows. */
    public static RedactingPrintStream over(PrintStream current, Redaction redaction) {
        PrintStream target = current instanceof RedactingPrintStream r ? r.target : current;
        return new RedactingPrintStream(target, redaction);
    }

    @Override
    public void print(String s) {
        super.print(redaction.redact(s));
    }

    @Override
    public void print(Object o) {
        print(String.valueOf(o));
    }

    @Override
    public void println(String s) {
        synchronized (this) {
            print(s);
            println();
        }
    }

    @Override
    public void println(Object o) {
        println(String.valueOf(o));
    }
}
