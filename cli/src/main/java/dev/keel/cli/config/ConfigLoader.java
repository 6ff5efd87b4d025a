package dev.keel.cli.config;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.Overlap;
import dev.keel.replication.api.Overlaps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
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
    static final List<String> TOP_KEYS = List.of("dbs", "addr", "exec", "access-key-id", "secret-access-key", "logging",
            BranchesSection.KEY, ServerSection.KEY, HeartbeatSection.URL, HeartbeatSection.INTERVAL, HeldMemorySection.KEY);
    private static final List<String> LOG_LEVELS = List.of("debug", "info", "warn", "error");
    private static final List<String> LOG_TYPES = List.of("text", "json");

    /** Host (a name, an IPv4 address, empty, or an IPv6 address in brackets) and port, as Go's net.Listen takes them. */
    private static final java.util.regex.Pattern ADDR = java.util.regex.Pattern.compile(
            "^((?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)?|\\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?\\]):([0-9]{1,5})$");
    /** How long a pipe or device named as the config file may take to end. */
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    private final ConfigEnvironment env;
    private final Duration readTimeout;

    public ConfigLoader(ConfigEnvironment env) {
        this(env, DEFAULT_READ_TIMEOUT);
    }

    /** A loader that gives up on a pipe or device that has not ended after {@code readTimeout}. */
    public ConfigLoader(ConfigEnvironment env, Duration readTimeout) {
        this.env = env;
        this.readTimeout = readTimeout;
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

    /** Reads and checks one config file (at most 1 MiB; a pipe or device must end within the read timeout). */
    public KeelConfig read(Path file, boolean expandEnv) {
        return parse(new ConfigFileReader(readTimeout).read(file), file, expandEnv);
    }

    /** Checks config text as if read from {@code file} (which names it in errors). */
    public KeelConfig parse(String text, Path file, boolean expandEnv) {
        EnvExpander.Result expansion = expandEnv ? expand(text, file) : null;
        String expanded = expansion == null ? text : expansion.text();
        Set<String> secrets = new LinkedHashSet<>(ConfigSecrets.scan(text, expansion == null ? null : expanded, env.variables()));
        Redactor scanned = Redactor.URLS.with(secrets);
        ConfigSource source = new ConfigSource(file.toString(), expansion, scanned);
        Node root = YamlText.compose(expanded, source);
        if (root == null) return new KeelConfig(file, null, null, null, List.of(), scanned, List.of(), List.of(), null, null);

        YamlMap top = YamlMap.of(source, "", root);
        top.rejectUnknownKeys(TOP_KEYS);
        var credentials = new ReplicaSection.Credentials(top.string("access-key-id").orElse(null),
                top.string("secret-access-key").orElse(null));
        ConfigSecrets.add(secrets, credentials.accessKeyId());
        ConfigSecrets.add(secrets, credentials.secretAccessKey());
        String addr = addr(top);
        String exec = emptyToNull(top.string("exec"));
        KeelConfig.Logging logging = logging(top.map("logging"));
        KeelConfig.Heartbeat heartbeat = HeartbeatSection.read(top, secrets);
        var heldMemory = HeldMemorySection.read(top);
        // Path entries first, then dir entries: the order Overlaps numbers them in.
        List<DatabaseSection.Read> databases = new ArrayList<>();
        List<DatabaseSection.Read> directories = new ArrayList<>();
        for (YamlMap item : top.maps("dbs")) {
            DatabaseSection.Read read = DatabaseSection.read(item, credentials, env, secrets);
            (read.directory() == null ? databases : directories).add(read);
        }
        List<DatabaseConfig> configs = databases.stream().map(DatabaseSection.Read::config).toList();
        List<DirectoryConfig> dirs = directories.stream().map(DatabaseSection.Read::directory).toList();
        List<DatabaseSection.Read> entries = new ArrayList<>(databases);
        entries.addAll(directories);
        Overlaps.find(configs, dirs).ifPresent(overlap -> {
            throw overlapError(overlap, entries, source);
        });
        return new KeelConfig(file, addr, exec, logging, configs, scanned.with(secrets), dirs,
                BranchesSection.read(top, env), ServerSection.read(top, addr), heartbeat, heldMemory);
    }

    private EnvExpander.Result expand(String text, Path file) {
        try {
            return EnvExpander.expand(text, env.variables(), ConfigFileReader.MAX_BYTES);
        } catch (EnvExpander.TooLong e) {
            throw new KeelException(ErrorCode.BAD_INPUT, "not a config file: it is larger than 1 MiB once $VAR references"
                    + " are expanded", file + ":" + e.line, "check the environment variables used on this line;"
                    + " run with -no-expand-env if the '$' is meant literally");
        }
    }

    /**
     * Two entries that write one place, named by their {@code file:line}; the error is at the later line.
     * {@link Overlaps} decides; this only says where each entry is in the file.
     */
    private static KeelException overlapError(Overlap overlap, List<DatabaseSection.Read> databases, ConfigSource source) {
        java.util.function.ToIntFunction<Overlap.Entry> line = e -> {
            DatabaseSection.Read db = databases.get(e.database());
            return switch (e.role()) {
                case DATABASE -> db.map().line("path");
                case DIRECTORY -> db.map().line("dir");
                case META -> db.map().line(db.map().has("meta-path") ? "meta-path" : "path");
                case REPLICA -> {
                    YamlMap r = db.replicas().get(e.replica());
                    yield r.line(r.has("url") ? "url" : r.has("path") ? "path" : "type");
                }
            };
        };
        String message = overlap.message(e -> {
            YamlMap db = databases.get(e.database()).map();
            String where = switch (e.role()) {
                case DATABASE -> db.path("path");
                case DIRECTORY -> db.path("dir");
                case META -> db.has("meta-path") ? db.path("meta-path") : "the local state of " + db.where();
                case REPLICA -> databases.get(e.database()).replicas().get(e.replica()).where();
            };
            return where + " (" + source.at(line.applyAsInt(e)) + ")";
        });
        // At the later of the two lines: path entries are numbered before dir entries, not in file order.
        int at = Math.max(line.applyAsInt(overlap.first()), line.applyAsInt(overlap.second()));
        return source.error(at, message, overlap.hint());
    }

    /** {@code addr}: what Go's net.Listen takes for TCP, {@code :9090}, {@code host:9090} or {@code [::1]:9090}. */
    private static String addr(YamlMap top) {
        String addr = emptyToNull(top.string("addr"));
        if (addr == null) return null;
        java.util.regex.Matcher m = ADDR.matcher(addr);
        String hint = "write ':9090' to listen on every interface, or HOST:PORT such as '127.0.0.1:9090' or '[::1]:9090'";
        if (!m.matches()) throw top.error("addr", "addr " + YamlMap.quote(addr) + " is not an address to listen on", hint);
        int port = Integer.parseInt(m.group(2));
        if (port > 65535) {
            throw top.error("addr", "addr " + YamlMap.quote(addr) + " has port " + port + ", out of range", "a port is a number from 0 to 65535");
        }
        return addr;
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

    private static KeelConfig.Logging logging(Optional<YamlMap> block) {
        if (block.isEmpty()) return KeelConfig.Logging.DEFAULT;
        YamlMap map = block.get();
        map.rejectUnknownKeys(List.of("level", "type", "stderr"));
        String level = map.string("level").map(s -> s.toLowerCase(Locale.ROOT)).orElse("info");
        if (level.equals("warning")) level = "warn";
        if (!LOG_LEVELS.contains(level)) {
            throw map.error("level", "unknown logging level " + YamlMap.quote(level), "use debug, info, warn or error");
        }
        String type = map.string("type").orElse("text");
        if (!LOG_TYPES.contains(type)) {
            throw map.error("type", "unknown logging type " + YamlMap.quote(type), "use text or json");
        }
        return new KeelConfig.Logging(level, type, map.bool("stderr").orElse(false));
    }

    private static String emptyToNull(Optional<String> s) {
        return s.filter(v -> !v.isEmpty()).orElse(null);
    }
}
