package dev.keel.cli.config;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The config file being read: its name as the user gave it and what env expansion left empty,
 * so every error can say {@code file:line} and, when a {@code $VAR} on that line was unset, why a
 * value is missing.
 */
record ConfigSource(String fileName, EnvExpander.Result expansion) {

    /** A BAD_INPUT error at {@code line} (1-based) of this file. */
    KeelException error(int line, String message, String hint) {
        List<String> unset = expansion == null ? List.of() : expansion.unsetOn(line);
        if (!unset.isEmpty()) {
            String names = unset.stream().map(n -> "$" + n).collect(Collectors.joining(", "));
            String why = names + (unset.size() == 1 ? " is" : " are")
                    + " not set in the environment, so it expanded to nothing"
                    + " (set it, or run with -no-expand-env if the '$' is meant literally)";
            hint = hint == null ? why : why + "; " + hint;
        }
        return new KeelException(ErrorCode.BAD_INPUT, message, fileName + ":" + line, hint);
    }
}
