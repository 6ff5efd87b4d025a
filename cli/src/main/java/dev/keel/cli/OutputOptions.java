package dev.keel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine.Option;

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

    public void printJson(PrintWriter out, Object value) {
        try {
            out.println(Json.MAPPER.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }

    public static ObjectMapper mapper() {
        return Json.MAPPER;
    }
}
