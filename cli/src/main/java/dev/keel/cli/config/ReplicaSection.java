package dev.keel.cli.config;

import dev.keel.core.KeelException;
import dev.keel.replication.api.InvalidSettingException;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.api.LeaseSettings;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicaUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one item of a database's {@code replicas} list into a {@link ReplicaConfig}, following
 * Litestream 0.3.13: the type comes from the URL's scheme, else {@code type}, else "file"; URL parts
 * fill only the fields the item does not set; a URL and its own {@code path} (or {@code bucket},
 * or sftp {@code host}) together are an error. Unlike Litestream, a key that does not apply to the
 * replica's type is an error rather than silently ignored.
 */
final class ReplicaSection {
    static final List<String> COMMON_KEYS = List.of("name", "type", "url", "path", "sync-interval",
            "snapshot-interval", "retention", "retention-check-interval", "validation-interval", "age",
            "lease", "lease-ttl");
    static final Map<String, List<String>> TYPE_KEYS = Map.of(
            "file", List.of(),
            "s3", List.of("bucket", "endpoint", "region", "force-path-style", "skip-verify",
                    "access-key-id", "secret-access-key"),
            "sftp", List.of("host", "user", "password", "key-path", "host-key"),
            "abs", List.of("bucket", "endpoint", "account-name", "account-key", "sas-token"),
            "gcs", List.of("bucket"));
    static final List<String> TYPES = List.of("file", "s3", "sftp", "abs", "gcs");
    private static final Pattern HOST_PORT = Pattern.compile("^([^:\\[\\]]+|\\[[^\\]]+\\]):([0-9]{1,5})$");

    /** Global {@code access-key-id} / {@code secret-access-key}, applied to s3 replicas that set none. */
    record Credentials(String accessKeyId, String secretAccessKey) {
    }

    private final YamlMap map;
    private final ConfigEnvironment env;
    private final Set<String> secrets;

    private ReplicaSection(YamlMap map, ConfigEnvironment env, Set<String> secrets) {
        this.map = map;
        this.env = env;
        this.secrets = secrets;
    }

    /** Reads one replica; every credential it holds is added to {@code secrets}, which messages must never show. */
    static ReplicaConfig read(YamlMap map, Credentials global, ConfigEnvironment env, Set<String> secrets) {
        return new ReplicaSection(map, env, secrets).read(global);
    }

    private ReplicaConfig read(Credentials global) {
        map.rejectUnknownKeys(allKeys());
        Optional<String> url = map.string("url");
        ReplicaUrl.Parts parts = url.map(this::splitUrl).orElse(null);
        String type = type(parts);
        for (String key : map.keys()) {
            if (!COMMON_KEYS.contains(key) && !TYPE_KEYS.get(type).contains(key)) {
                throw map.error(key, "key '" + key + "' does not apply to a " + type + " replica (" + map.where() + ")",
                        "keys for " + type + " replicas: " + String.join(", ", keysFor(type)) + (type.equals("gcs")
                                ? "; an emulator is chosen by STORAGE_EMULATOR_HOST, credentials by GOOGLE_APPLICATION_CREDENTIALS" : ""));
            }
        }
        map.string("path").filter(ReplicaUrl::isUrl).ifPresent(p -> {
            throw map.error("path", "replica path cannot be a URL: " + ReplicaUrl.redact(p), "use 'url:' for URLs");
        });
        if (parts != null) {
            rejectWithUrl("path");
            if (!type.equals("file") && !type.equals("sftp")) rejectWithUrl("bucket");
            if (type.equals("sftp")) rejectWithUrl("host");
        }
        dev.keel.replication.api.AgeEncryption age = AgeSection.read(map, env, secrets);
        ReplicaStorage storage = switch (type) {
            case "file" -> file(parts);
            case "s3" -> s3(parts, global);
            case "sftp" -> sftp(parts);
            case "abs" -> abs(parts);
            case "gcs" -> gcs(parts);
            default -> throw new IllegalStateException(type);
        };
        LeaseSettings.Mode lease = leaseMode();
        if (lease == LeaseSettings.Mode.ON && storage instanceof ReplicaStorage.Sftp) {
            throw map.error("lease", map.path("lease") + " is on, but an sftp replica cannot hold a lease (SFTP has no "
                    + "compare-and-swap)", "remove 'lease: on' (an sftp replica then runs without a lease) and make sure "
                    + "only one replicator writes it, or replicate to s3, abs or a file replica");
        }
        if (lease == LeaseSettings.Mode.ON && storage instanceof ReplicaStorage.Gcs) {
            throw map.error("lease", map.path("lease") + " is on, but Keel cannot hold a lease on a gcs replica yet "
                    + "(GCS generation preconditions are not implemented: the emulator Keel is tested against ignores them)",
                    "remove 'lease: on' (a gcs replica then runs without a lease) and make sure only one replicator "
                            + "writes it, or replicate to s3, abs or a file replica");
        }
        try {
            return new ReplicaConfig(map.string("name").orElse(null), storage,
                    map.duration("sync-interval").orElse(null), optionalInterval("snapshot-interval"),
                    map.duration("retention").orElse(null), map.duration("retention-check-interval").orElse(null),
                    optionalInterval("validation-interval"), age,
                    new LeaseSettings(lease, map.duration("lease-ttl").orElse(null), false));
        } catch (InvalidSettingException e) {
            throw map.invalid(e);
        }
    }

    /** 'lease': auto (the default), on/true or off/false. */
    private LeaseSettings.Mode leaseMode() {
        String text = map.string("lease").orElse("auto").toLowerCase(java.util.Locale.ROOT);
        return switch (text) {
            case "auto" -> LeaseSettings.Mode.AUTO;
            case "on", "true", "yes" -> LeaseSettings.Mode.ON;
            case "off", "false", "no" -> LeaseSettings.Mode.OFF;
            default -> throw map.error("lease", map.path("lease") + " should be auto, on or off, not " + YamlMap.quote(text),
                    "write auto (a lease where the storage can hold one), on (a lease, or an error) or off (none)");
        };
    }

    private ReplicaUrl.Parts splitUrl(String url) {
        if (!ReplicaUrl.isUrl(url)) {
            throw map.error("url", "replica url " + YamlMap.quote(url) + " has no scheme",
                    "write file://" + (url.startsWith("/") ? "" : "/") + YamlMap.quote(url).replace("'", "")
                            + ", or use 'path:' for a directory");
        }
        try {
            ReplicaUrl.Parts parts = ReplicaUrl.split(url);
            ConfigSecrets.add(secrets, parts.password());
            return parts;
        } catch (KeelException e) {
            throw map.source().error(map.line("url"), e.getMessage() + " in " + YamlMap.quote(String.valueOf(e.subject())),
                    hintOf(e));
        }
    }

    private String type(ReplicaUrl.Parts parts) {
        Optional<String> declared = map.string("type");
        if (parts != null) {
            if (declared.isPresent() && !declared.get().equals(parts.scheme())) {
                throw map.error("type", "type " + YamlMap.quote(declared.get()) + " does not match the url's scheme '" + parts.scheme() + "'",
                        "drop 'type:'; the url's scheme decides the type");
            }
            return parts.scheme();
        }
        String type = declared.orElse("file");
        if (!TYPES.contains(type)) {
            String suggestion = KeySuggester.closest(type, TYPES);
            throw map.error("type", "unknown replica type " + YamlMap.quote(type) + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?"),
                    "replica types: " + String.join(", ", TYPES));
        }
        return type;
    }

    private ReplicaStorage file(ReplicaUrl.Parts parts) {
        if (parts != null) {
            try {
                return new ReplicaStorage.File(java.nio.file.Path.of(parts.path()));
            } catch (java.nio.file.InvalidPathException e) {
                throw map.error("url", "the file url in " + map.where() + " is not a valid path: " + e.getReason(),
                        "write file:///absolute/path without NUL characters (%00)");
            }
        }
        return new ReplicaStorage.File(map.filePath("path", env).orElseThrow(() -> map.error("path",
                "file replica in " + map.where() + " needs a 'path' (or a 'url')", "add 'path: /backups/NAME' or 'url: file:///backups/NAME'")));
    }

    private ReplicaStorage s3(ReplicaUrl.Parts parts, Credentials global) {
        String bucket = map.string("bucket").orElse(null);
        String path = map.string("path").orElse(null);
        String region = map.string("region").orElse(null);
        String endpoint = map.string("endpoint").orElse(null);
        // Litestream: path style when an endpoint is set explicitly (only AWS itself goes without).
        boolean forcePathStyle = map.bool("force-path-style").orElse(endpoint != null && !endpoint.isEmpty());
        if (parts != null) {
            ReplicaUrl.S3Host host;
            try {
                host = ReplicaUrl.parseS3Host(parts.hostAndPort());
            } catch (KeelException e) {
                throw map.source().error(map.line("url"), e.getMessage(), hintOf(e));
            }
            path = parts.path();
            bucket = host.bucket();
            if (region == null) region = host.region();
            if (endpoint == null) endpoint = host.endpoint();
            if (!forcePathStyle) forcePathStyle = host.forcePathStyle();
        }
        if (bucket == null || bucket.isBlank()) {
            throw map.error(parts != null ? "url" : "bucket", "s3 replica in " + map.where() + " needs a bucket",
                    parts != null ? "put it in the url: s3://BUCKET/path" : "add 'bucket: NAME' or use 'url: s3://BUCKET/path'");
        }
        String accessKeyId = map.string("access-key-id").orElse(global.accessKeyId());
        String secret = map.string("secret-access-key").orElse(global.secretAccessKey());
        ConfigSecrets.add(secrets, accessKeyId);
        ConfigSecrets.add(secrets, secret);
        return new ReplicaStorage.S3(bucket, path, emptyToNull(region), emptyToNull(endpoint), forcePathStyle,
                map.bool("skip-verify").orElse(false), emptyToNull(accessKeyId), emptyToNull(secret));
    }

    private ReplicaStorage sftp(ReplicaUrl.Parts parts) {
        String host = null;
        int port = -1;
        if (map.has("host")) {
            String text = map.string("host").orElseThrow();
            if (text.contains("@") || text.contains("/")) {
                // never quoted: 'user:password@host' would put the password in the message
                throw map.error("host", "the sftp host holds more than a host and port (a user name, password or path?)",
                        "write 'host: HOST:PORT' and give the rest as 'user:', 'password:' and 'path:'");
            }
            Matcher m = HOST_PORT.matcher(text);
            host = text;
            if (m.matches()) {
                host = m.group(1).replace("[", "").replace("]", "");
                port = Integer.parseInt(m.group(2));
                if (port < 1 || port > 65535) throw map.error("host", "bad port in host " + YamlMap.quote(text), "a port is a number from 1 to 65535");
            }
        }
        String user = map.string("user").orElse(null);
        String password = map.string("password").orElse(null);
        String path = map.string("path").orElse(null);
        if (parts != null) {
            host = parts.host();
            port = parts.port();
            if (user == null) user = parts.user();
            if (password == null) password = parts.password();
            path = parts.path();
        }
        if (host == null || host.isBlank()) {
            throw map.error(parts != null ? "url" : "host", "sftp replica in " + map.where() + " needs a host", "add 'host: HOST:PORT' or use 'url: sftp://USER@HOST/path'");
        }
        if (user == null || user.isEmpty()) {
            throw map.error(map.has("url") ? "url" : "user", "sftp replica in " + map.where() + " needs a user", "add 'user: NAME' or put it in the url: sftp://USER@HOST/path");
        }
        ConfigSecrets.add(secrets, password);
        String keyPath = map.filePath("key-path", env).map(Object::toString).orElse(null);
        return new ReplicaStorage.Sftp(host, port, user, emptyToNull(password), keyPath, path == null ? "" : path,
                map.string("host-key").orElse(null));
    }

    private ReplicaStorage abs(ReplicaUrl.Parts parts) {
        String account = map.string("account-name").orElse(null);
        String container = map.string("bucket").orElse(null);
        String path = map.string("path").orElse(null);
        if (parts != null) {
            if (account == null) account = parts.user();
            container = parts.host();
            path = parts.path();
        }
        if (container == null || container.isBlank()) {
            throw map.error(parts != null ? "url" : "bucket", "abs replica in " + map.where() + " needs a container",
                    "add 'bucket: CONTAINER' or use 'url: abs://ACCOUNT@CONTAINER/path'");
        }
        String accountKey = map.string("account-key").orElse(null);
        String sasToken = map.string("sas-token").orElse(null);
        ConfigSecrets.add(secrets, accountKey);
        ConfigSecrets.add(secrets, sasToken);
        return new ReplicaStorage.Azure(emptyToNull(account), emptyToNull(accountKey), emptyToNull(sasToken), container, path,
                emptyToNull(map.string("endpoint").orElse(null)));
    }

    /** Litestream 0.3's gcs replica: bucket and path (or gcs://BUCKET/path); credentials come from the environment. */
    private ReplicaStorage gcs(ReplicaUrl.Parts parts) {
        String bucket = map.string("bucket").orElse(null);
        String path = map.string("path").orElse(null);
        if (parts != null) {
            bucket = parts.host();
            path = parts.path();
        }
        if (bucket == null || bucket.isBlank()) {
            throw map.error(parts != null ? "url" : "bucket", "gcs replica in " + map.where() + " needs a bucket",
                    "add 'bucket: NAME' or use 'url: gcs://BUCKET/path'");
        }
        return new ReplicaStorage.Gcs(bucket, path);
    }

    private void rejectWithUrl(String key) {
        if (map.has(key)) {
            throw map.error(key, "cannot set both 'url' and '" + key + "' on a replica (" + map.where() + ")",
                    "put everything in the url, or drop the url and set the keys");
        }
    }

    /** Litestream's {@code age} block is parsed so the file is accepted, but encryption is refused until Keel has it. */
    /** An interval where 0 means "never", as in Litestream; null when unset or 0. */
    private Duration optionalInterval(String key) {
        Duration d = map.duration(key).orElse(null);
        if (d != null && d.isNegative()) {
            throw map.error(key, map.path(key) + " must not be negative", "use 0 to turn it off");
        }
        return d == null || d.isZero() ? null : d;
    }

    private static List<String> allKeys() {
        Set<String> all = new LinkedHashSet<>(COMMON_KEYS);
        for (String type : TYPES) all.addAll(TYPE_KEYS.get(type));
        return new ArrayList<>(all);
    }

    private static List<String> keysFor(String type) {
        List<String> keys = new ArrayList<>(COMMON_KEYS);
        keys.addAll(TYPE_KEYS.get(type));
        return keys;
    }

    private static String hintOf(KeelException e) {
        return e.hint() != null ? e.hint() : "write it as file:///path, s3://bucket/path, sftp://user@host/path, "
                + "abs://account@container/path or gcs://bucket/path";
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
