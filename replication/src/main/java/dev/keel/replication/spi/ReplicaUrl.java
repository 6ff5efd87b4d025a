package dev.keel.replication.spi;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads replica URLs the way Litestream 0.3.13 does: {@code file:///path} (or a bare path),
 * {@code s3://bucket/path} with Litestream's provider host rules, {@code sftp://user:password@host:port/path}
 * {@code abs://account@container/path} and {@code gcs://bucket/path}. Malformed input is a {@link KeelException} with code
 * {@link ErrorCode#BAD_INPUT} that names the URL (never its password).
 */
public final class ReplicaUrl {
    private static final java.util.Set<String> SCHEMES = java.util.Set.of("file", "s3", "sftp", "abs", "gcs");
    private static final Pattern HAS_SCHEME = Pattern.compile("^\\w+://");
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", Pattern.DOTALL);

    // Litestream 0.3.13's provider patterns (s3/replica_client.go), dots escaped.
    private static final Pattern LOCALHOST = Pattern.compile("^(?:(.+)\\.)?localhost$");
    private static final Pattern BACKBLAZE = Pattern.compile("^(?:(.+)\\.)?s3\\.([^.]+)\\.backblazeb2\\.com$");
    private static final Pattern FILEBASE = Pattern.compile("^(?:(.+)\\.)?s3\\.filebase\\.com$");
    private static final Pattern DIGITAL_OCEAN = Pattern.compile("^(?:(.+)\\.)?([^.]+)\\.digitaloceanspaces\\.com$");
    private static final Pattern SCALEWAY = Pattern.compile("^(?:(.+)\\.)?s3\\.([^.]+)\\.scw\\.cloud$");
    private static final Pattern LINODE = Pattern.compile("^(?:(.+)\\.)?([^.]+)\\.linodeobjects\\.com$");
    // Keel additions (also what later Litestream releases do): AWS virtual-hosted names.
    private static final Pattern AWS = Pattern.compile("^(.+)\\.s3(?:[.-]([a-z0-9-]+))?\\.amazonaws\\.com$");

    private ReplicaUrl() {
    }

    /** True when {@code s} starts with a scheme and {@code ://}, so it is a replica URL rather than a path. */
    public static boolean isUrl(String s) {
        return s != null && HAS_SCHEME.matcher(s).find();
    }

    /** The storage a replica URL (or a bare directory path) names; every other setting at its default. */
    public static ReplicaStorage parse(String url) {
        if (url == null || url.isBlank()) {
            throw bad(String.valueOf(url), "empty replica URL", "give a URL such as s3://bucket/path or a directory path");
        }
        if (!isUrl(url)) return new ReplicaStorage.File(localPath(url, url));
        Parts parts = split(url);
        switch (parts.scheme()) {
            case "file":
                return new ReplicaStorage.File(localPath(url, parts.path()));
            case "s3": {
                S3Host host;
                try {
                    host = parseS3Host(parts.hostAndPort());
                } catch (KeelException e) {
                    throw e.withSubject(redact(url));
                }
                if (host.bucket().isEmpty()) {
                    throw bad(url, "no bucket in the URL's host", "write it as s3://BUCKET/path or s3://BUCKET.localhost:9000/path");
                }
                return new ReplicaStorage.S3(host.bucket(), trimSlashes(parts.path()), host.region(), host.endpoint(),
                        host.forcePathStyle(), false, null, null);
            }
            case "sftp":
                if (parts.user() == null || parts.user().isEmpty()) {
                    throw bad(url, "no user in the URL", "write it as sftp://USER@host:port/path");
                }
                return new ReplicaStorage.Sftp(parts.host(), parts.port(), parts.user(), parts.password(), null,
                        parts.path(), null);
            case "abs":
                return new ReplicaStorage.Azure(parts.user(), null, null, parts.host(), trimSlashes(parts.path()), null);
            case "gcs":
                return new ReplicaStorage.Gcs(parts.host(), trimSlashes(parts.path()));
            default:
                throw unreachable(url);
        }
    }

    /**
     * Splits a replica URL into its parts and checks what every scheme needs: a known scheme, a host
     * (none for file), a numeric port, no query or fragment. Paths and user info are percent-decoded;
     * the path is cleaned (no "." or ".." segments, no doubled slashes).
     */
    public static Parts split(String url) {
        Matcher m = url == null ? null : SCHEME.matcher(url);
        if (m == null || !m.matches()) {
            throw bad(String.valueOf(url), "not a URL (no scheme://)", "write it as file:///path, s3://bucket/path, sftp://user@host/path, "
                    + "abs://account@container/path or gcs://bucket/path");
        }
        String scheme = m.group(1).toLowerCase(java.util.Locale.ROOT);
        String rest = m.group(2);
        if (!SCHEMES.contains(scheme)) {
            throw bad(url, "unknown replica URL scheme '" + scheme + "'", scheme.equals("gs")
                    ? "write Google Cloud Storage replicas as gcs://BUCKET/path, as Litestream does"
                    : "use file://, s3://, sftp://, abs:// or gcs://");
        }
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw bad(url, "query strings and fragments are not part of Litestream 0.3 replica URLs",
                    "set region, endpoint and the like as keys of the replica in the config file");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String rawPath = slash < 0 ? "" : rest.substring(slash);

        String user = null, password = null, hostPort = authority;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            hostPort = authority.substring(at + 1);
            int colon = info.indexOf(':');
            user = decode(url, colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(url, info.substring(colon + 1));
        }
        String host = hostPort;
        int port = -1;
        int portColon = hostPort.startsWith("[") ? hostPort.indexOf(':', Math.max(0, hostPort.indexOf(']'))) : hostPort.lastIndexOf(':');
        if (portColon >= 0) {
            host = hostPort.substring(0, portColon);
            String digits = hostPort.substring(portColon + 1);
            if (!digits.matches("[0-9]{1,5}") || Integer.parseInt(digits) == 0 || Integer.parseInt(digits) > 65535) {
                throw bad(url, "bad port '" + digits + "'", "a port is a number from 1 to 65535");
            }
            port = Integer.parseInt(digits);
        }
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        String path = cleanPath(decode(url, rawPath));

        if (scheme.equals("file")) {
            if (!host.isEmpty() && !host.equals("localhost") || user != null || port >= 0) {
                throw bad(url, "a file URL names a local directory and has no host", "write it as file:///absolute/path");
            }
            if (path.isEmpty() || path.equals("/")) {
                throw bad(url, "no directory in the file URL", "write it as file:///absolute/path");
            }
        } else if (host.isEmpty()) {
            String what = switch (scheme) {
                case "s3", "gcs" -> "bucket";
                case "abs" -> "container";
                default -> "host";
            };
            throw bad(url, "no " + what + " in the URL", "write it as " + example(scheme));
        }
        if (scheme.equals("gcs") && (user != null || port >= 0)) {
            throw bad(url, "a gcs URL has no " + (user != null ? "user" : "port") + ": its host is the bucket",
                    "write it as gcs://BUCKET/path; credentials come from GOOGLE_APPLICATION_CREDENTIALS, "
                            + "an emulator from STORAGE_EMULATOR_HOST");
        }
        return new Parts(scheme, user, password, host, port, path);
    }

    /**
     * Litestream 0.3.13's {@code s3.ParseHost}: recognizes local hosts and the hosts of S3-compatible
     * providers (Backblaze, Filebase, DigitalOcean, Scaleway, Linode) and derives bucket, region,
     * endpoint and path style from them; any other host is the bucket itself. Keel also reads AWS
     * virtual-hosted names ({@code bucket.s3.us-west-2.amazonaws.com}) and {@code bucket.host:port}
     * for self-hosted servers such as MinIO, where Litestream 0.3.13 took the whole host as the bucket.
     */
    public static S3Host parseS3Host(String hostAndPort) {
        String host = hostAndPort;
        String port = "";
        int colon = hostAndPort.lastIndexOf(':');
        if (colon >= 0 && hostAndPort.indexOf(']') < colon) {
            host = hostAndPort.substring(0, colon);
            port = hostAndPort.substring(colon + 1);
        }
        String scheme = "https";
        String bucket;
        String region = null;
        String endpoint;
        Matcher m;
        if ((m = LOCALHOST.matcher(host)).matches()) {
            bucket = group(m, 1);
            region = "us-east-1";
            scheme = "http";
            endpoint = "localhost";
        } else if ((m = BACKBLAZE.matcher(host)).matches()) {
            bucket = group(m, 1);
            region = m.group(2);
            endpoint = "s3." + region + ".backblazeb2.com";
        } else if ((m = FILEBASE.matcher(host)).matches()) {
            bucket = group(m, 1);
            endpoint = "s3.filebase.com";
        } else if ((m = DIGITAL_OCEAN.matcher(host)).matches()) {
            bucket = group(m, 1);
            region = m.group(2);
            endpoint = region + ".digitaloceanspaces.com";
        } else if ((m = SCALEWAY.matcher(host)).matches()) {
            bucket = group(m, 1);
            region = m.group(2);
            endpoint = "s3." + region + ".scw.cloud";
        } else if ((m = LINODE.matcher(host)).matches()) {
            bucket = group(m, 1);
            region = m.group(2);
            endpoint = region + ".linodeobjects.com";
        } else if ((m = AWS.matcher(host)).matches()) {
            return new S3Host(m.group(1), m.group(2), null, false);
        } else if (!port.isEmpty() && host.indexOf('.') > 0) {
            // bucket.minio.internal:9000: a self-hosted server, spoken to over plain HTTP like localhost.
            int dot = host.indexOf('.');
            return new S3Host(host.substring(0, dot), "us-east-1",
                    "http://" + host.substring(dot + 1) + ":" + port, true);
        } else if (!port.isEmpty()) {
            throw new KeelException(ErrorCode.BAD_INPUT, "malformed replica URL: host '" + hostAndPort
                    + "' has a port but no server name to connect to", hostAndPort,
                    "write it as s3://BUCKET.HOST:PORT/path, e.g. s3://backups.localhost:9000/app");
        } else {
            return new S3Host(host, null, null, false);
        }
        if (!port.isEmpty()) endpoint = endpoint + ":" + port;
        return new S3Host(bucket, region, scheme + "://" + endpoint, true);
    }

    /** The URL with any password and credential-bearing query parameter replaced by {@code ***}, for messages. */
    public static String redact(String url) {
        return Redactor.urls(url);
    }

    /**
     * A replica URL split into its parts. {@code port} is -1 when the URL has none; {@code toString()}
     * hides the password.
     */
    public record Parts(String scheme, String user, String password, String host, int port, String path) {
        /** The host with ":port" when the URL had a port, as Go's {@code url.URL.Host} holds it. */
        public String hostAndPort() {
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            return port < 0 ? h : h + ":" + port;
        }

        @Override
        public String toString() {
            return scheme + "://" + (user == null ? "" : user + (password == null ? "" : ":***") + "@")
                    + hostAndPort() + path;
        }
    }

    /** What an S3 URL's host says: bucket, region (null: look it up), endpoint (null: AWS) and path style. */
    public record S3Host(String bucket, String region, String endpoint, boolean forcePathStyle) {
    }

    /** Go's {@code path.Clean} for a URL path, except that an empty path stays empty. */
    static String cleanPath(String path) {
        if (path.isEmpty()) return "";
        boolean absolute = path.startsWith("/");
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
                    parts.removeLast();
                } else if (!absolute) {
                    parts.addLast(part);
                }
                continue;
            }
            parts.addLast(part);
        }
        String joined = String.join("/", parts);
        return absolute ? "/" + joined : joined;
    }

    private static String trimSlashes(String path) {
        return ReplicaStorage.Paths.trimSlashes(path);
    }

    private static String group(Matcher m, int group) {
        return m.group(group) == null ? "" : m.group(group);
    }

    private static String decode(String url, String s) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                throw bad(url, "bad percent escape in the URL", "write a literal '%' as %25");
            }
            out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
            i += 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Path localPath(String url, String path) {
        try {
            return Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw bad(url, "not a valid local path: " + e.getReason(), "write the directory's path without NUL characters");
        }
    }

    private static String example(String scheme) {
        return switch (scheme) {
            case "s3" -> "s3://BUCKET/path";
            case "abs" -> "abs://ACCOUNT@CONTAINER/path";
            case "sftp" -> "sftp://USER@HOST:PORT/path";
            case "gcs" -> "gcs://BUCKET/path";
            default -> "file:///path";
        };
    }

    private static KeelException bad(String url, String message, String hint) {
        return new KeelException(ErrorCode.BAD_INPUT, "malformed replica URL: " + message, redact(url), hint);
    }

    private static IllegalStateException unreachable(String url) {
        return new IllegalStateException("scheme checked by split(): " + redact(url));
    }
}
