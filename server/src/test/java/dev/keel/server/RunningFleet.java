package dev.keel.server;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaUrl;
import dev.keel.testing.FaultyReplicaClient;
import dev.keel.testing.ReplicationScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real databases replicated by a real replicator to file replicas, reporting to a real operations
 * server on 127.0.0.1 with a free port. One database's replica can be taken offline (the file client
 * wrapped by {@link FaultyReplicaClient}, which only injects the outage).
 */
final class RunningFleet implements AutoCloseable {
    final OperationsServer server;
    final Replicator replicator;
    final Map<Path, FaultyReplicaClient> clients = new ConcurrentHashMap<>();

    RunningFleet(Path dir, List<Path> databases, ServerOptions options) throws Exception {
        List<DatabaseConfig> configs = new ArrayList<>();
        for (Path db : databases) {
            create(db);
            Path replica = dir.resolve("replicas").resolve(Integer.toString(configs.size()));
            configs.add(ReplicationScenario.database(db, ReplicaUrl.parse(replica.toString())));
        }
        server = OperationsServer.start(options);
        replicator = EngineOptions.DEFAULT.withClients(r -> {
            FaultyReplicaClient client = new FaultyReplicaClient(ReplicaClients.open(r.storage()));
            clients.put(configOf(configs, r), client);
            return client;
        }).start(Replicator.configure().databases(configs).listener(server.listener()));
    }

    private static Path configOf(List<DatabaseConfig> configs, dev.keel.replication.api.ReplicaConfig r) {
        for (DatabaseConfig c : configs) {
            if (c.replicas().get(0).equals(r)) return c.path();
        }
        throw new IllegalStateException("unknown replica " + r.name());
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.address().getPort() + path;
    }

    static void create(Path db) throws SQLException, java.io.IOException {
        Files.createDirectories(db.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)");
        }
    }

    static void write(Path db, int rows) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
            for (int i = 0; i < rows; i++) s.execute("INSERT INTO t (v) VALUES (hex(randomblob(100)))");
        }
    }

    /** Waits (generously: the machine is shared) until {@code check} holds. */
    static void await(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = check.failure();
            if (last == null) return;
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + timeout + ": " + what + " (" + last + ")");
    }

    /** Null when the condition holds, else why not. */
    @FunctionalInterface
    interface Check {
        String failure() throws Exception;
    }

    @Override
    public void close() {
        try {
            replicator.close();
        } catch (RuntimeException ignored) {
            // a replica left offline fails the final sync: that is the point of some tests
        } finally {
            server.close();
        }
    }
}
