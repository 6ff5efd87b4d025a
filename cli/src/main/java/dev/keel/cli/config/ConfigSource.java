package dev.keel.cli.config;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * The config file being read: its name as the user gave it, what env expansion left empty and the
 * secrets it holds, so every error can say {@code file:line}, say why a value is missing when a
 * {@code $VAR} on that line was unset, and never show a secret.
 */
final class ConfigSource {
    /** Unset variables named in one hint at most; a line of a thousand {@code $X} needs no thousand names. */
    private static final int MAX_NAMED_VARIABLES = 5;
    private static final int MAX_NAME_SHOWN = 64;

    private final String fileName;
    private final EnvExpander.Result expansion;
    private final Redactor redactor;
    /** Each mapping's keys with its merges applied, computed once: aliases let one mapping be merged many times. */
    final Map<Node, Map<String, NodeTuple>> mergedEntries = new IdentityHashMap<>();

    ConfigSource(String fileName, EnvExpander.Result expansion, Redactor redactor) {
        this.fileName = fileName;
        this.expansion = expansion;
        this.redactor = redactor;
    }

    String fileName() {
        return fileName;
    }

    Redactor redactor() {
        return redactor;
    }

    /** {@code file:line}, how messages point at a place in the file. */
    String at(int line) {
        return fileName + ":" + line;
    }

    /** A BAD_INPUT error at {@code line} (1-based) of this file; every config error says what to do. */
    KeelException error(int line, String message, String hint) {
        Objects.requireNonNull(hint, "every config error carries a hint");
        List<String> unset = expansion == null ? List.of() : expansion.unsetOn(line);
        if (!unset.isEmpty()) {
            String names = unset.stream().limit(MAX_NAMED_VARIABLES).map(n -> "$" + shortName(n)).collect(Collectors.joining(", "))
                    + (unset.size() > MAX_NAMED_VARIABLES ? " and others" : "");
            String why = names + (unset.size() == 1 ? " is" : " are")
                    + " not set in the environment, so it expanded to nothing"
                    + " (set it, or run with -no-expand-env if the '$' is meant literally)";
            hint = why + "; " + hint;
        }
        return new KeelException(ErrorCode.BAD_INPUT, redactor.redact(message), at(line), redactor.redact(hint));
    }

    /** A variable's name as a message shows it: a name can be as long as its line, a message stays a few lines. */
    private static String shortName(String name) {
        return name.length() <= MAX_NAME_SHOWN ? name : name.substring(0, MAX_NAME_SHOWN) + "...";
    }
}
