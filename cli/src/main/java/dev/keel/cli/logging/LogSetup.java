package dev.keel.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.keel.core.Redactor;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * How the process logs, set up in code (no configuration file is searched for, which keeps start-up
 * fast): the level of Keel's own loggers, text or JSON lines, stdout or stderr, and the redactor that
 * hides secrets in every line. Applying a setup replaces the one before.
 *
 * @param level    debug, info, warn or error: Keel's own loggers
 * @param json     JSON objects instead of text lines
 * @param stderr   to stderr instead of stdout
 * @param redactor hides secrets (asked at every event: a config's secrets are learnt after start)
 */
public record LogSetup(String level, boolean json, boolean stderr, Supplier<Redactor> redactor) {
    /** What every command logs until it says otherwise: text on stderr at info, URL passwords hidden. */
    public static final LogSetup DEFAULT = new LogSetup("info", false, true, () -> Redactor.URLS);

    private static final String APPENDER = "keel";

    public LogSetup {
        level = level == null ? "info" : level.toLowerCase(Locale.ROOT);
        Objects.requireNonNull(redactor, "redactor");
    }

    public LogSetup withLevel(String newLevel) {
        return new LogSetup(newLevel == null ? level : newLevel, json, stderr, redactor);
    }

    /** Applies this setup to the process's logging. */
    public void apply() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) apply(context);
    }

    /** Applies this setup to {@code context} (the start-up configurator calls this before any logger logs). */
    void apply(LoggerContext context) {
        Encoder<ILoggingEvent> encoder = json ? new JsonLineEncoder(redactor) : new TextLineEncoder(redactor);
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setName(APPENDER);
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(new ConsoleStream(stderr));
        appender.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        root.setLevel(Level.INFO);
        Level keel = Level.toLevel(level, Level.INFO);
        context.getLogger("dev.keel").setLevel(keel);
        // The Azure SDK logs a warning per request (a header the JDK client sets itself) and a bare
        // "ERROR java.net.ConnectException" per failed attempt; Keel reports each failure itself, with the
        // replica and what it tried, so these lines only bury the story. Shown at debug.
        context.getLogger("com.azure").setLevel(keel.levelInt <= Level.DEBUG_INT ? Level.WARN : Level.OFF);
        context.getLogger("org.apache.sshd").setLevel(Level.WARN); // its start-up notes at info
    }
}
