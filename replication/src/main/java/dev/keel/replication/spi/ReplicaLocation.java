package dev.keel.replication.spi;

import dev.keel.core.Redactor;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a replica's objects (or a local directory Keel writes) live, in a form two of them can be
 * compared by: a {@code space} (the file system; an S3 endpoint and bucket; an SFTP server; an Azure
 * account and container) and a slash-separated {@code path} inside it. Two locations overlap when
 * they are in one space and one path is the other or lies below it.
 *
 * @param display how messages show the location (no credentials)
 */
public record ReplicaLocation(String space, String path, String display) {

    /** A local directory or file, with symbolic links followed so two names for one directory compare equal. */
    public static ReplicaLocation local(Path path) {
        Path real = LocalPaths.followLinks(path);
        return new ReplicaLocation("file", ReplicaStorage.Paths.trimSlashes(real.toString()), real.toString());
    }

    /** Where {@code storage} puts a replica's objects. */
    public static ReplicaLocation of(ReplicaStorage storage) {
        if (storage instanceof ReplicaStorage.File f) return local(f.root());
        if (storage instanceof ReplicaStorage.S3 s) {
            return new ReplicaLocation("s3 " + endpoint(s.endpoint()) + " " + s.bucket(), s.path(), s.describe());
        }
        if (storage instanceof ReplicaStorage.Sftp s) {
            String path = ReplicaUrl.cleanPath(s.path());
            // A relative path is relative to the login's home directory, so it differs per user.
            String home = path.startsWith("/") ? "" : " ~" + s.user();
            return new ReplicaLocation("sftp " + s.host().toLowerCase(Locale.ROOT) + ":" + s.port() + home,
                    ReplicaStorage.Paths.trimSlashes(path), s.describe());
        }
        if (storage instanceof ReplicaStorage.Gcs g) {
            // the emulator host comes from the environment, which is one for the whole process
            return new ReplicaLocation("gcs " + g.bucket(), g.path(), g.describe());
        }
        ReplicaStorage.Azure a = (ReplicaStorage.Azure) storage;
        return new ReplicaLocation("abs " + endpoint(a.endpoint()) + " " + a.accountName() + " " + a.container(),
                a.path(), a.describe());
    }

    /** True when both are in one space and one path equals the other or lies below it. */
    public boolean overlaps(ReplicaLocation other) {
        return space.equals(other.space) && (contains(path, other.path) || contains(other.path, path));
    }

    /** True when {@code inner} is {@code outer} or lies below it ("" is the root of a space). */
    static boolean contains(String outer, String inner) {
        if (outer.isEmpty() || inner.equals(outer)) return true;
        return inner.length() > outer.length() && inner.startsWith(outer) && inner.charAt(outer.length()) == '/';
    }

    /** An endpoint compared without credentials, case or the scheme's default port. */
    private static String endpoint(String endpoint) {
        if (endpoint == null || endpoint.isEmpty()) return "-";
        String e = endpoint.toLowerCase(Locale.ROOT);
        int scheme = e.indexOf("://");
        int hostStart = scheme < 0 ? 0 : scheme + 3;
        int slash = e.indexOf('/', hostStart);
        int at = e.lastIndexOf('@', slash < 0 ? e.length() : slash);
        if (at >= hostStart) e = e.substring(0, hostStart) + e.substring(at + 1);
        while (e.endsWith("/")) e = e.substring(0, e.length() - 1);
        if (e.startsWith("http://") && e.endsWith(":80")) e = e.substring(0, e.length() - 3);
        if (e.startsWith("https://") && e.endsWith(":443")) e = e.substring(0, e.length() - 4);
        return Redactor.urls(e);
    }
}
