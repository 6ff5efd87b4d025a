package dev.keel.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.keel.core.Redactor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.event.KeyValuePair;

/**
 * {@code logging.type: json}: one JSON object per line and event, shaped as Litestream's (Go slog's)
 * JSON log: {@code time}, {@code level}, {@code msg}, then the event's key/value fields as the engine
 * attached them at the log call ({@code db}, {@code replica}, {@code generation}, {@code position},
 * {@code bytes}, {@code code}, ...), and {@code exception} with the stack trace when there is one.
 * Every text value passes through the run's redactor before it is escaped, so a secret never
 * reaches the log, whichever field carries it.
 */
final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();
    /** Keys the object itself uses: a field of the same name is written as {@code field.KEY}. */
    private static final Set<String> RESERVED = Set.of("time", "level", "msg", "exception");

    private final Supplier<Redactor> redactor;

    JsonLineEncoder(Supplier<Redactor> redactor) {
        this.redactor = redactor;
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Redactor hide = redactor.get();
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("time", DateTimeFormatter.ISO_INSTANT.format(event.getInstant()));
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("msg", hide.redact(event.getFormattedMessage()));
            List<KeyValuePair> fields = event.getKeyValuePairs();
            if (fields != null) {
                Set<String> written = new HashSet<>();
                for (KeyValuePair kv : fields) {
                    String key = RESERVED.contains(kv.key) ? "field." + kv.key : kv.key;
                    if (key == null || !written.add(key)) continue; // the first value of a key wins
                    json.writeFieldName(key);
                    writeValue(json, kv.value, hide);
                }
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) json.writeStringField("exception", hide.redact(ThrowableProxyUtil.asString(thrown)));
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator json, Object value, Redactor hide) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else {
            json.writeString(hide.redact(String.valueOf(value)));
        }
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
