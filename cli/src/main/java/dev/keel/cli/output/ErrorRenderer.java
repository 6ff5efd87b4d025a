package dev.keel.cli.output;

import dev.keel.cli.OutputOptions;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The one place where failures become exit statuses and stderr text: {@code error: ...} then
 * {@code hint: ...}, or a JSON object when {@code --json} was given; the stack only with {@code -x}.
 */
public final class ErrorRenderer implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    private final Redaction redaction;

    /** Renders errors with every secret {@code redaction} knows hidden. */
    public ErrorRenderer(Redaction redaction) {
        this.redaction = redaction;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        KeelException error = toKeelException(ex);
        render(cmd.getErr(), error, ex, wants(parsed, "--json", "-json"), wants(parsed, "-x", "--stacktrace"), redaction.redactor());
        return error.code().exitStatus();
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        boolean json = Arrays.asList(args).contains("--json") || Arrays.asList(args).contains("-json");
        KeelException error = new KeelException(ErrorCode.USAGE, ex.getMessage(), null,
                "run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage");
        render(cmd.getErr(), error, ex, json, false, redaction.redactor());
        return ErrorCode.USAGE.exitStatus();
    }

    /** Maps anything thrown by a command to a KeelException, keeping the original as cause. */
    public static KeelException toKeelException(Throwable ex) {
        if (ex instanceof KeelException k) return k;
        if (ex.getCause() instanceof KeelException k) return k;
        if (ex instanceof java.nio.file.NoSuchFileException nf) {
            return new KeelException(ErrorCode.NOT_FOUND, "no such file", nf.getFile(), null, ex);
        }
        if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
            return new KeelException(ErrorCode.IO, String.valueOf(ex.getMessage()), null,
                    "run again with -x to see where it happened", ex);
        }
        return new KeelException(ErrorCode.FAILURE, ex.getClass().getSimpleName() + ": " + ex.getMessage(), null,
                "this is probably a bug in keel; run again with -x and report the stack trace", ex);
    }

    /** Prints {@code error} (and with {@code stack} the trace of {@code original}), secrets hidden by {@code redactor}. */
    static void render(PrintWriter err, KeelException error, Throwable original, boolean json, boolean stack, Redactor redactor) {
        String message = redactor.redact(error.getMessage());
        String subject = redactor.redact(error.subject());
        String hint = redactor.redact(error.hint());
        if (json) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", message);
            body.put("code", error.code().name());
            body.put("exitStatus", error.code().exitStatus());
            if (subject != null) body.put("subject", subject);
            if (hint != null) body.put("hint", hint);
            if (stack) body.put("stackTrace", stackTrace(original));
            OutputOptions.printJson(err, Map.of("error", body), redactor);
            return;
        }
        err.println("error: " + (subject == null ? message : subject + ": " + message));
        if (hint != null) err.println("hint: " + hint);
        if (stack) err.print(redactor.redact(stackTrace(original)));
        err.flush();
    }

    private static boolean wants(ParseResult parsed, String... names) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            for (String name : names) {
                if (p.hasMatchedOption(name)) return true;
            }
        }
        for (String arg : parsed.originalArgs()) {
            for (String name : names) {
                if (arg.equals(name)) return true;
            }
        }
        return false;
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
