package dev.keel.cli.output;

import dev.keel.cli.Keel;
import dev.keel.core.Redactor;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What one command-line run hides in everything it prints: URL passwords and credential parameters
 * from the start, and the config file's secrets once it has been read. Error messages, JSON results,
 * text listings and the daemon's log all go through it.
 */
public final class Redaction {
    private volatile Redactor redactor = Redactor.URLS;

    /** Also hides every secret {@code more} knows (the loaded config's). */
    public void learn(Redactor more) {
        redactor = redactor.with(more.secrets());
    }

    public Redactor redactor() {
        return redactor;
    }

    public String redact(String text) {
        return redactor.redact(text);
    }

    /** The redaction of the run {@code spec} belongs to; one that knows no config secrets outside a Keel command line. */
    public static Redaction of(CommandSpec spec) {
        if (spec != null && spec.root().userObject() instanceof Keel keel) return keel.redaction();
        return new Redaction();
    }
}
