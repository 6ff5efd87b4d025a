package dev.keel.cli.replicate;

import dev.keel.cli.output.RedactingPrintStream;
import dev.keel.cli.output.Redaction;

/**
 * Sets up slf4j-simple for the daemon before the first logger exists: one line per event with a
 * timestamp and level on stderr, at the level asked for (info unless the config or -v says otherwise),
 * with every secret the run knows hidden (the logger writes to whatever {@code System.err} is).
 */
final class ReplicateLogging {
    private ReplicateLogging() {
    }

    static void configure(String level, Redaction redaction) {
        configure(level);
        System.setErr(RedactingPrintStream.over(System.err, redaction));
    }

    static void configure(String level) {
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
        setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "false");
        if (level != null) System.setProperty("org.slf4j.simpleLogger.log.dev.keel", level.toLowerCase(java.util.Locale.ROOT));
        // The Azure SDK logs a warning per request (a header the JDK client sets itself) and a bare
        // "ERROR java.net.ConnectException" per failed attempt; Keel reports each failure itself, with the
        // replica and what it tried, so these lines only bury the story. Shown with -v (debug).
        boolean debug = level != null && (level.equalsIgnoreCase("debug") || level.equalsIgnoreCase("trace"));
        if (debug) System.setProperty(AZURE, "warn");
        else setIfAbsent(AZURE, "off");
        setIfAbsent("org.slf4j.simpleLogger.log.org.apache.sshd", "warn"); // its start-up notes at info
    }

    private static final String AZURE = "org.slf4j.simpleLogger.log.com.azure";

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
