package dev.keel.cli.logging;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.keel.core.Redactor;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code logging.type: text}: one line per event, {@code 2026-01-02T03:04:05.678+00:00 INFO message},
 * the format Keel has always printed (a stack trace follows on the next lines when there is one).
 * Key/value fields are left out: the message already says the same in words.
 */
final class TextLineEncoder extends EncoderBase<ILoggingEvent> {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %level %msg%n";

    private final PatternLayout layout = new PatternLayout();
    private final Supplier<Redactor> redactor;

    TextLineEncoder(Supplier<Redactor> redactor) {
        this.redactor = redactor;
    }

    @Override
    public void start() {
        layout.setContext(getContext());
        layout.setPattern(PATTERN);
        layout.start();
        super.start();
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return redactor.get().redact(layout.doLayout(event)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
