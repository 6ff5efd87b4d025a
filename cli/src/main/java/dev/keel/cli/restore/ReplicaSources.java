package dev.keel.cli.restore;

import dev.keel.cli.config.ConfigOptions;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.ReplicaChoice;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicaUrl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a command's {@code DB_PATH|REPLICA_URL} argument, as Litestream does: a URL names one
 * replica (and rules out {@code -config}); a path is looked up in the config file and brings its
 * replicas, optionally narrowed to one by {@code -replica NAME}.
 *
 * @param database the configured database path, or null when a URL was given
 */
public record ReplicaSources(Path database, List<Named> replicas) implements AutoCloseable {
    /** One replica with the name listings and {@code -replica} use. */
    public record Named(String name, ReplicaClient client) {
    }

    public static ReplicaSources resolve(String argument, ConfigOptions config, String replicaName) {
        if (ReplicaUrl.isUrl(argument)) {
            if (config.configPath() != null) {
                throw new KeelException(ErrorCode.USAGE, "cannot specify a replica URL and the -config flag", argument,
                        "give either a database path (with -config) or a replica URL");
            }
            ReplicaStorage storage = ReplicaUrl.parse(argument);
            return new ReplicaSources(null, List.of(new Named(storage.type(), ReplicaClients.open(storage))));
        }
        DatabaseConfig db = config.load().database(Path.of(argument)).orElseThrow(() -> new KeelException(
                ErrorCode.NOT_FOUND, "database not found in config", Path.of(argument).toAbsolutePath().toString(),
                "list the configured databases with 'keel databases', or give a replica URL instead"));
        List<Named> replicas = new ArrayList<>();
        for (ReplicaConfig r : db.replicas()) {
            if (replicaName == null || replicaName.equals(r.name())) {
                replicas.add(new Named(r.name(), ReplicaClients.open(r.storage())));
            }
        }
        if (replicaName != null && replicas.isEmpty()) {
            throw new KeelException(ErrorCode.NOT_FOUND, "replica \"" + replicaName + "\" not found for database",
                    db.path().toString(), "the configured replicas are: "
                    + String.join(", ", db.replicas().stream().map(ReplicaConfig::name).toList()));
        }
        return new ReplicaSources(db.path(), replicas);
    }

    /** The replicas as the library's restore choice takes them. */
    public List<ReplicaChoice.Candidate> candidates() {
        return replicas.stream().map(r -> new ReplicaChoice.Candidate(r.name(), r.client())).toList();
    }

    @Override
    public void close() {
        for (Named r : replicas) {
            try {
                r.client().close();
            } catch (IOException ignored) {
                // closing a client after a listing or restore: nothing useful to report
            }
        }
    }
}
