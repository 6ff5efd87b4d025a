package dev.keel.cli.replicate;

import dev.keel.cli.config.KeelConfig;
import dev.keel.cli.logging.LogSetup;
import dev.keel.cli.output.RedactingPrintStream;
import dev.keel.cli.output.Redaction;

/**
 * Sets up the daemon's log: before the config is read, text lines on stderr (as Litestream 0.3 logs
 * without a config file), at debug with -v; once the config is read, its {@code logging} block decides
 * (level, text or json, stdout unless {@code stderr: true}, Litestream's default). Every line hides
 * the secrets the run knows, the config file's included.
 */
final class ReplicateLogging {
    private ReplicateLogging() {
    }

    /** Text on stderr at {@code level} (info when null), hiding what {@code redaction} knows. */
    static void configure(String level, Redaction redaction) {
        // Anything else printed on stderr (a JVM warning quoting a URL) is redacted too.
        System.setErr(RedactingPrintStream.over(System.err, redaction));
        new LogSetup(level, false, true, redaction::redactor).apply();
    }

    /** The config file's {@code logging} block; {@code level} (from -v) overrides its level when not null. */
    static void configure(KeelConfig.Logging logging, String level, Redaction redaction) {
        System.setErr(RedactingPrintStream.over(System.err, redaction));
        new LogSetup(level != null ? level : logging.level(), logging.type().equals("json"), logging.stderr(),
                redaction::redactor).apply();
    }
}
