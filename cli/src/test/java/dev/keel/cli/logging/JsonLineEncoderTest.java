package dev.keel.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.core.Redactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON line of one event: shape, field types, and secrets hidden in every field. */
class JsonLineEncoderTest {
    private static final String SECRET = "an-0bvious-secret";

    private static JsonNode encode(Redactor redactor, String message, Object[] args, Throwable thrown, Object... keyValues)
            throws IOException {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("dev.keel.test");
        LoggingEvent event = new LoggingEvent("fqcn", logger, Level.WARN, message, thrown, args);
        for (int i = 0; i < keyValues.length; i += 2) event.addKeyValuePair(new org.slf4j.event.KeyValuePair((String) keyValues[i], keyValues[i + 1]));
        JsonLineEncoder encoder = new JsonLineEncoder(() -> redactor);
        encoder.setContext(context);
        encoder.start();
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertThat(line).endsWith("\n");
        assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1); // one line, even with a stack trace
        return new ObjectMapper().readTree(line);
    }

    @Test
    void writesTimeLevelMessageAndFieldsWithTheirTypes() throws IOException {
        JsonNode e = encode(Redactor.URLS, "{}: upload {}", new Object[]{"/db", "failed"}, null,
                "db", "/db", "bytes", 4096L, "msg", "clash", "replica", "s3");
        assertThat(e.path("level").asText()).isEqualTo("WARN");
        assertThat(e.path("msg").asText()).isEqualTo("/db: upload failed");
        assertThat(e.path("time").asText()).endsWith("Z");
        assertThat(e.path("db").asText()).isEqualTo("/db");
        assertThat(e.path("bytes").isIntegralNumber()).isTrue();
        assertThat(e.path("bytes").asLong()).isEqualTo(4096);
        assertThat(e.path("replica").asText()).isEqualTo("s3");
        assertThat(e.path("field.msg").asText()).isEqualTo("clash"); // a field never replaces the message
        assertThat(List.of(e.fieldNames().next())).containsExactly("time");
    }

    @Test
    void hidesSecretsInTheMessageFieldsAndStackTrace() throws IOException {
        Redactor redactor = Redactor.URLS.with(List.of(SECRET, "quote\"d-secret"));
        JsonNode e = encode(redactor, "cannot reach {}", new Object[]{"s3://user:pw123456@host/b"},
                new IllegalStateException("key " + SECRET + " refused"),
                "error", "bad key " + SECRET, "url", "sftp://u:hunter22@h/p", "other", "a quote\"d-secret here");
        String all = e.toString();
        assertThat(all).doesNotContain(SECRET).doesNotContain("pw123456").doesNotContain("hunter22").doesNotContain("quote\\\"d-secret");
        assertThat(e.path("msg").asText()).isEqualTo("cannot reach s3://user:***@host/b");
        assertThat(e.path("error").asText()).isEqualTo("bad key ***");
        assertThat(e.path("other").asText()).isEqualTo("a *** here");
        assertThat(e.path("exception").asText()).contains("IllegalStateException: key *** refused");
    }
}
