package dev.keel.cli.config;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Finds and reads Keel's config file, which is Litestream 0.3's {@code litestream.yml} format.
 * Lookup order: the path given with {@code -config}, then {@code $KEEL_CONFIG}, then
 * {@code ./keel.yml}, {@code /etc/keel.yml}, {@code /etc/litestream.yml}. {@code $VAR} and
 * {@code ${VAR}} are expanded in the file's text first unless turned off. Every problem is a
 * {@link KeelException}: NOT_FOUND for a missing file, BAD_INPUT naming file, line and key otherwise.
 *
 * <pre>{@code
 * KeelConfig config = ConfigLoader.system().load(null, true);
 * for (DatabaseConfig db : config.databases()) ...
 * }</pre>
 */
public final class ConfigLoader {
    /** The environment variable naming a config file when {@code -config} is not given. */
    public static final String ENV_VAR = "KEEL_CONFIG";
    static final List<String> TOP_KEYS = List.of("dbs", "addr", "exec", "access-key-id", "secret-access-key", "logging");
    private static final List<String> LOG_LEVELS = List.of("debug", "info", "warn", "error");
    private static final List<String> LOG_TYPES = List.of("text", "json");

    private final ConfigEnvironment env;

    public ConfigLoader(ConfigEnvironment env) {
        this.env = env;
    }

    /** A loader for this process's environment and working directory. */
    public static ConfigLoader system() {
        return new ConfigLoader(ConfigEnvironment.system());
    }

    /** Finds the config file ({@code explicitPath} may be null) and reads it. */
    public KeelConfig load(String explicitPath, boolean expandEnv) {
        return read(locate(explicitPath), expandEnv);
    }

    /**
     * The config file to use, by the lookup order. A file named explicitly (by {@code -config} or
     * {@code $KEEL_CONFIG}) must exist; the default locations are tried in turn.
     */
    public Path locate(String explicitPath) {
        if (explicitPath != null && !explicitPath.isEmpty()) {
            return existing(explicitPath, "check the path given to -config");
        }
        String fromEnv = env.variable(ENV_VAR);
        if (fromEnv != null) {
            return existing(fromEnv, "$" + ENV_VAR + " names this file; fix the variable or unset it");
        }
        List<Path> defaults = defaultLocations();
        for (Path candidate : defaults) {
            if (Files.isRegularFile(candidate)) return candidate;
        }
        throw new KeelException(ErrorCode.NOT_FOUND, "no config file found (looked for "
                + String.join(", ", defaults.stream().map(Path::toString).toList()) + ")", null,
                "pass -config PATH or set $" + ENV_VAR);
    }

    /** {@code ./keel.yml}, {@code /etc/keel.yml}, {@code /etc/litestream.yml}: tried in this order. */
    public List<Path> defaultLocations() {
        return List.of(env.workingDir().resolve("keel.yml"), env.systemConfigDir().resolve("keel.yml"),
                env.systemConfigDir().resolve("litestream.yml"));
    }

    /** Reads and checks one config file. */
    public KeelConfig read(Path file, boolean expandEnv) {
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new KeelException(ErrorCode.NOT_FOUND, "config file not found", file.toString(), "check the path", e);
        } catch (CharacterCodingException e) {
            throw new KeelException(ErrorCode.BAD_INPUT, "config file is not UTF-8 text", file.toString(),
                    "save it as UTF-8", e);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot read config file: " + e.getMessage(), file.toString(),
                    "check that it is a readable file", e);
        }
        return parse(text, file, expandEnv);
    }

    /** Checks config text as if read from {@code file} (which names it in errors). */
    public KeelConfig parse(String text, Path file, boolean expandEnv) {
        EnvExpander.Result expansion = expandEnv ? EnvExpander.expand(text, env.variables()) : null;
        ConfigSource source = new ConfigSource(file.toString(), expansion);
        Node root = compose(expansion == null ? text : expansion.text(), source);
        if (root == null) return new KeelConfig(file, null, null, null, List.of());

        YamlMap top = YamlMap.of(source, "", root);
        top.rejectUnknownKeys(TOP_KEYS);
        var credentials = new ReplicaSection.Credentials(top.string("access-key-id").orElse(null),
                top.string("secret-access-key").orElse(null));
        List<DatabaseConfig> databases = new ArrayList<>();
        Map<Path, Integer> seen = new HashMap<>();
        for (YamlMap item : top.maps("dbs")) {
            DatabaseConfig db = DatabaseSection.read(item, credentials, env);
            Integer first = seen.putIfAbsent(db.path(), item.line("path"));
            if (first != null) {
                throw item.error("path", "database " + db.path() + " is listed twice (also at line " + first + ")",
                        "list each database once, with all its replicas");
            }
            databases.add(db);
        }
        return new KeelConfig(file, emptyToNull(top.string("addr")), emptyToNull(top.string("exec")),
                logging(top.map("logging")), databases);
    }

    private Path existing(String name, String hint) {
        Path path = env.expandPath(name);
        if (path == null || !Files.exists(path)) {
            throw new KeelException(ErrorCode.NOT_FOUND, "config file not found", name, hint);
        }
        if (Files.isDirectory(path)) {
            throw new KeelException(ErrorCode.BAD_INPUT, "config path is a directory, not a file", name, hint);
        }
        return path;
    }

    private static Node compose(String text, ConfigSource source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            return new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() == null ? e.getMessage()
                    : e.getContext() == null ? e.getProblem() : e.getContext() + " " + e.getProblem();
            throw source.error(mark == null ? 1 : mark.getLine() + 1, "YAML syntax error: " + problem,
                    "check the indentation and quoting on this line and the one before");
        } catch (YAMLException e) {
            throw source.error(1, "YAML error: " + e.getMessage(), "a config file holds one YAML document");
        }
    }

    private static KeelConfig.Logging logging(Optional<YamlMap> block) {
        if (block.isEmpty()) return KeelConfig.Logging.DEFAULT;
        YamlMap map = block.get();
        map.rejectUnknownKeys(List.of("level", "type", "stderr"));
        String level = map.string("level").map(s -> s.toLowerCase(Locale.ROOT)).orElse("info");
        if (level.equals("warning")) level = "warn";
        if (!LOG_LEVELS.contains(level)) {
            throw map.error("level", "unknown logging level '" + level + "'", "use debug, info, warn or error");
        }
        String type = map.string("type").orElse("text");
        if (!LOG_TYPES.contains(type)) {
            throw map.error("type", "unknown logging type '" + type + "'", "use text or json");
        }
        return new KeelConfig.Logging(level, type, map.bool("stderr").orElse(false));
    }

    private static String emptyToNull(Optional<String> s) {
        return s.filter(v -> !v.isEmpty()).orElse(null);
    }
}
