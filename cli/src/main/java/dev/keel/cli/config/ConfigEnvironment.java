package dev.keel.cli.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What config loading reads from outside the file: environment variables (for {@code $VAR}
 * expansion and {@code $KEEL_CONFIG}), the working directory (for {@code ./keel.yml} and relative
 * paths), the home directory (for {@code ~/} paths) and the system config directory ({@code /etc}).
 * Passed in rather than read from globals so tests can give their own.
 */
public record ConfigEnvironment(Map<String, String> variables, Path workingDir, Path homeDir, Path systemConfigDir) {
    public ConfigEnvironment {
        variables = Map.copyOf(Objects.requireNonNull(variables, "variables"));
        workingDir = Objects.requireNonNull(workingDir, "workingDir").toAbsolutePath().normalize();
        Objects.requireNonNull(systemConfigDir, "systemConfigDir");
    }

    /** This process's environment, working directory, home directory and {@code /etc}. */
    public static ConfigEnvironment system() {
        String home = System.getProperty("user.home");
        return new ConfigEnvironment(System.getenv(), Path.of("").toAbsolutePath(),
                home == null || home.isEmpty() ? null : Path.of(home), Path.of("/etc"));
    }

    /**
     * A path from the config file or command line made absolute as Litestream does: a leading
     * {@code ~/} is the home directory, anything relative is relative to the working directory.
     * Null when it starts with {@code ~} and there is no home directory.
     */
    Path expandPath(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            if (homeDir == null) return null;
            return path.equals("~") ? homeDir : homeDir.resolve(path.substring(2)).normalize();
        }
        return workingDir.resolve(path).normalize();
    }

    /** A variable's value, or null when it is unset or empty. */
    String variable(String name) {
        String value = variables.get(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
