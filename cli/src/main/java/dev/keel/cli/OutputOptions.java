package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keel.cli.output.Redaction;
import dev.keel.core.Redactor;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Output options shared by every command (as a mixin): text by default, JSON with {@code --json};
 * {@code -x} shows the stack trace of an error.
 */
public final class OutputOptions {
    /** Built on first use: Jackson costs tens of milliseconds of start-up that text output never needs. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    @Option(names = {"--json", "-json"}, description = "Print results and errors as JSON.")
    boolean json;

    @Option(names = {"-x", "--stacktrace"}, description = "Show the stack trace of an error.")
    boolean stacktrace;

    public boolean json() {
        return json;
    }

    /** Set by picocli: the command this mixin belongs to, whose run knows which secrets to hide. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** Prints {@code value} as JSON with every secret this run knows hidden. */
    public void printJson(PrintWriter out, Object value) {
        printJson(out, value, Redaction.of(mixee).redactor());
    }

    /** Hides secrets in text this run prints. */
    public String redact(String text) {
        return Redaction.of(mixee).redact(text);
    }

    /** Prints {@code value} as JSON, every string in it (at any depth) passed through {@code redactor}. */
    public static void printJson(PrintWriter out, Object value, Redactor redactor) {
        try {
            JsonNode tree = Json.MAPPER.valueToTree(value);
            out.println(Json.MAPPER.writeValueAsString(redact(tree, redactor)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new UncheckedIOException(new java.io.IOException(e.getMessage(), e));
        }
        out.flush();
    }

    private static JsonNode redact(JsonNode node, Redactor redactor) {
        if (node.isTextual()) return TextNode.valueOf(redactor.redact(node.textValue()));
        if (node instanceof ObjectNode object) {
            object.fields().forEachRemaining(e -> e.setValue(redact(e.getValue(), redactor)));
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) array.set(i, redact(array.get(i), redactor));
        }
        return node;
    }

    public static ObjectMapper mapper() {
        return Json.MAPPER;
    }
}
