package dev.keel.replication.spi;

/**
 * Where a replica lives and how to reach it: one typed record per backend. Parsed from a config file
 * or a replica URL; turned into a {@link ReplicaClient} by the provider registered for its type.
 * {@code toString()} of every implementation hides credentials.
 */
public sealed interface ReplicaStorage
        permits ReplicaStorage.File, ReplicaStorage.S3, ReplicaStorage.Sftp, ReplicaStorage.Azure, ReplicaStorage.Gcs {

    /** The config file's type name: "file", "s3", "sftp", "abs", "gcs". */
    String type();

    /** A URL-like description without credentials, for messages and listings. */
    String describe();

    /** Where the replica's objects live, to tell whether two replicas would write to the same place. */
    default ReplicaLocation location() {
        return ReplicaLocation.of(this);
    }

    /**
     * The replica of one database of a fleet: this storage with {@code relativePath} (a database's path
     * below a {@code dir:} entry, '/' separated) appended, so {@code s3://bkt/tenants} and
     * {@code eu/acme.db} give {@code s3://bkt/tenants/eu/acme.db}. The same layout fleet restore reads
     * below a prefix. A path that could leave the prefix ({@code ..}, absolute, empty components) is a
     * BAD_INPUT {@link dev.keel.core.KeelException}.
     */
    ReplicaStorage below(String relativePath);

    /** {@code relativePath} when it is a plain relative path, or a BAD_INPUT error naming {@code parent}. */
    private static String checkedRelative(ReplicaStorage parent, String relativePath) {
        String problem = RelativeReplicaPath.problem(relativePath);
        if (problem != null) {
            throw new dev.keel.core.KeelException(dev.keel.core.ErrorCode.BAD_INPUT,
                    "cannot place a database's replica at '" + relativePath + "' below the replica: " + problem,
                    parent.describe(), "a database of a dir entry must lie below the directory, under a plain relative path");
        }
        return relativePath;
    }

    /** {@code path} + "/" + {@code relative}, without a leading slash when {@code path} is empty. */
    private static String join(String path, String relative) {
        return path.isEmpty() ? relative : path.endsWith("/") ? path + relative : path + "/" + relative;
    }

    /** A directory on a local (or mounted) file system. */
    record File(java.nio.file.Path root) implements ReplicaStorage {
        public File {
            java.util.Objects.requireNonNull(root, "root");
        }

        @Override
        public File below(String relativePath) {
            java.nio.file.Path p = root;
            for (String part : checkedRelative(this, relativePath).split("/")) p = p.resolve(part);
            return new File(p);
        }

        @Override
        public String type() {
            return "file";
        }

        @Override
        public String describe() {
            return "file://" + root.toAbsolutePath();
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** A bucket on S3 or an S3-compatible server (MinIO, B2, Spaces, GCS interop, s3proxy). */
    record S3(String bucket, String path, String region, String endpoint, boolean forcePathStyle,
              boolean skipVerify, String accessKeyId, String secretAccessKey) implements ReplicaStorage {
        public S3 {
            if (bucket == null || bucket.isBlank()) throw new IllegalArgumentException("S3 replica needs a bucket");
            path = Paths.trimSlashes(path);
        }

        @Override
        public S3 below(String relativePath) {
            return new S3(bucket, join(path, checkedRelative(this, relativePath)), region, endpoint, forcePathStyle,
                    skipVerify, accessKeyId, secretAccessKey);
        }

        @Override
        public String type() {
            return "s3";
        }

        @Override
        public String describe() {
            return "s3://" + bucket + "/" + path + (endpoint == null ? "" : " (endpoint " + dev.keel.core.Redactor.urls(endpoint) + ")");
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** A directory on an SFTP server. {@code hostKey} is an OpenSSH public key line, or null for known_hosts. */
    record Sftp(String host, int port, String user, String password, String keyPath, String path, String hostKey)
            implements ReplicaStorage {
        public Sftp {
            if (host == null || host.isBlank()) throw new IllegalArgumentException("SFTP replica needs a host");
            if (port <= 0) port = 22;
            path = path == null ? "" : path;
        }

        @Override
        public Sftp below(String relativePath) {
            return new Sftp(host, port, user, password, keyPath, join(path, checkedRelative(this, relativePath)), hostKey);
        }

        @Override
        public String type() {
            return "sftp";
        }

        @Override
        public String describe() {
            return "sftp://" + (user == null ? "" : user + "@") + host + ":" + port + "/" + Paths.trimSlashes(path);
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** A container in Azure Blob Storage (or Azurite). {@code endpoint} null means the public cloud. */
    record Azure(String accountName, String accountKey, String sasToken, String container, String path,
                 String endpoint) implements ReplicaStorage {
        public Azure {
            if (container == null || container.isBlank()) throw new IllegalArgumentException("Azure replica needs a container (bucket)");
            path = Paths.trimSlashes(path);
        }

        @Override
        public Azure below(String relativePath) {
            return new Azure(accountName, accountKey, sasToken, container, join(path, checkedRelative(this, relativePath)),
                    endpoint);
        }

        @Override
        public String type() {
            return "abs";
        }

        @Override
        public String describe() {
            return "abs://" + (accountName == null ? "" : accountName + "@") + container + "/" + path;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * A bucket in Google Cloud Storage. Credentials are the client library's defaults
     * ({@code GOOGLE_APPLICATION_CREDENTIALS}, then the platform's); {@code STORAGE_EMULATOR_HOST}
     * points the client at an emulator, as Litestream's Go client does. Nothing here is secret.
     */
    record Gcs(String bucket, String path) implements ReplicaStorage {
        public Gcs {
            if (bucket == null || bucket.isBlank()) throw new IllegalArgumentException("GCS replica needs a bucket");
            path = Paths.trimSlashes(path);
        }

        @Override
        public Gcs below(String relativePath) {
            return new Gcs(bucket, join(path, checkedRelative(this, relativePath)));
        }

        @Override
        public String type() {
            return "gcs";
        }

        @Override
        public String describe() {
            return "gcs://" + bucket + "/" + path;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** Small helpers for replica paths. */
    final class Paths {
        private Paths() {
        }

        /** "a/b" from "/a/b/", "" from null. */
        public static String trimSlashes(String path) {
            if (path == null) return "";
            int start = 0, end = path.length();
            while (start < end && path.charAt(start) == '/') start++;
            while (end > start && path.charAt(end - 1) == '/') end--;
            return path.substring(start, end);
        }
    }
}
