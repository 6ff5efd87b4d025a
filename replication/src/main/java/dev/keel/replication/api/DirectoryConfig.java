package dev.keel.replication.api;

import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.spi.RelativeReplicaPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@code dir:} entry: every SQLite file of {@code directory} is a database of the fleet, replicated
 * with the settings of {@code template} (whose {@code path} is the directory's root). Each database's
 * replicas are the template's replicas with the file's path relative to the root appended
 * ({@code s3://bkt/tenants} + {@code eu/acme.db} is {@code s3://bkt/tenants/eu/acme.db}), so the
 * databases of a fleet never share a replica, and fleet restore finds them below the same prefix.
 *
 * @param watch true: databases that appear (or go) while replicating are picked up (or let go) within
 *              one monitor interval; false: the directory is read once, when replication starts
 */
public record DirectoryConfig(DatabaseDirectory directory, DatabaseConfig template, boolean watch) {
    public DirectoryConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(template, "template");
        if (!template.path().equals(directory.root())) {
            throw new IllegalArgumentException("the template's path must be the directory's root " + directory.root());
        }
    }

    /** Every matching database below {@code root} with {@code replicas}, defaults otherwise, watched. */
    public static DirectoryConfig of(DatabaseDirectory directory, List<ReplicaConfig> replicas) {
        return new DirectoryConfig(directory, DatabaseConfig.of(directory.root(), replicas), true);
    }

    public Path root() {
        return directory.root();
    }

    public List<ReplicaConfig> replicas() {
        return template.replicas();
    }

    /** The database at {@code relativeName} below the root ('/' separated), as the replicator follows it. */
    public DatabaseConfig database(String relativeName) {
        String problem = RelativeReplicaPath.problem(relativeName);
        if (problem != null) {
            throw new dev.keel.core.KeelException(dev.keel.core.ErrorCode.BAD_INPUT,
                    "not a database name below the directory: " + problem, root() + " ('" + relativeName + "')",
                    "a database of a dir entry lies below the directory, under a plain relative path");
        }
        Path path = root();
        for (String part : relativeName.split("/")) path = path.resolve(part);
        List<ReplicaConfig> replicas = new ArrayList<>();
        for (ReplicaConfig r : template.replicas()) {
            replicas.add(new ReplicaConfig(r.name(), r.storage().below(relativeName), r.syncInterval(),
                    r.snapshotInterval(), r.retention(), r.retentionCheckInterval(), r.validationInterval(), r.age(), r.lease()));
        }
        // With a meta-path, each database keeps its state at the same relative path below it.
        Path meta = template.metaPath();
        if (meta != null) {
            for (String part : relativeName.split("/")) meta = meta.resolve(part);
        }
        return new DatabaseConfig(path, meta, template.monitorInterval(), template.checkpointInterval(),
                template.minCheckpointPageCount(), template.maxCheckpointPageCount(), replicas,
                template.maxShadowBacklog());
    }

    /** The database file {@code file} below the root. */
    public DatabaseConfig database(Path file) {
        return database(directory.relativeName(file));
    }

    /** Is a file with this relative name one of the entry's databases (pattern and depth), by name alone? */
    public boolean matches(String relativeName) {
        if (!directory.recursive() && relativeName.indexOf('/') >= 0) return false;
        int slash = relativeName.lastIndexOf('/');
        return directory.matchesName(relativeName.substring(slash + 1));
    }
}
