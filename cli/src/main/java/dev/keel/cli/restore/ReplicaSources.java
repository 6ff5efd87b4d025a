package dev.keel.cli.restore;

import dev.keel.cli.config.ConfigOptions;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.ReplicaChoice;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicaUrl;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves a command's {@code DB_PATH|REPLICA_URL} argument, as Litestream does: a URL names one
 * replica (and rules out {@code -config}); a path is looked up in the config file and brings its
 * replicas, optionally narrowed to one by {@code -replica NAME} (see {@link ReplicaChoice#open}).
 *
 * @param database the configured database path, or null when a URL was given
 */
public record ReplicaSources(Path database, List<ReplicaChoice.Candidate> replicas) implements AutoCloseable {

    public static ReplicaSources resolve(String argument, ConfigOptions config, String replicaName) {
        if (ReplicaUrl.isUrl(argument)) {
            if (config.configPath() != null) {
                throw new KeelException(ErrorCode.USAGE, "cannot specify a replica URL and the -config flag", argument,
                        "give either a database path (with -config) or a replica URL");
            }
            ReplicaStorage storage = ReplicaUrl.parse(argument);
            return new ReplicaSources(null, List.of(new ReplicaChoice.Candidate(storage.type(), ReplicaClients.open(ReplicaConfig.of(storage)))));
        }
        DatabaseConfig db = config.load().database(Path.of(argument)).orElseThrow(() -> new KeelException(
                ErrorCode.NOT_FOUND, "database not found in config", Path.of(argument).toAbsolutePath().toString(),
                "list the configured databases with 'keel databases', or give a replica URL instead"));
        return new ReplicaSources(db.path(), ReplicaChoice.open(db, replicaName));
    }

    /** What errors call these replicas: the database, or the replica URL's location. */
    String subject() {
        return database != null ? database.toString() : replicas.get(0).client().describe();
    }

    /** The replicas as the library's restore choice takes them. */
    public List<ReplicaChoice.Candidate> candidates() {
        return replicas;
    }

    @Override
    public void close() {
        ReplicaChoice.close(replicas);
    }
}
