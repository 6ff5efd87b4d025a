package dev.keel.replication.internal;

import dev.keel.replication.Replicator;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import java.util.Objects;
import java.util.function.Function;

/**
 * Engine settings that are no user concept, kept off {@link Replicator.Builder}: how a replica's client
 * is made and a gate before every write to Keel's local state. Production uses {@link #DEFAULT}; tests
 * start a configured replicator with others ({@link #start}) to inject faults such as a full disk or a
 * storage outage. Not API.
 *
 * @param writeGate called before Keel writes to its local state directory
 * @param clients   makes a replica's client from its configuration
 */
public record EngineOptions(WriteGate writeGate, Function<ReplicaConfig, ReplicaClient> clients) {
    public static final EngineOptions DEFAULT = new EngineOptions(WriteGate.NONE, ReplicaClients::open);

    /** How {@link Replicator} starts a builder with given engine options; it registers itself when loaded. */
    @FunctionalInterface
    public interface Starter {
        Replicator start(Replicator.Builder builder, EngineOptions options);
    }

    private static volatile Starter starter;

    public EngineOptions {
        Objects.requireNonNull(writeGate, "writeGate");
        Objects.requireNonNull(clients, "clients");
    }

    /** Called once by {@link Replicator}'s static initializer. */
    public static void register(Starter replicatorStarter) {
        starter = replicatorStarter;
    }

    public EngineOptions withWriteGate(WriteGate gate) {
        return new EngineOptions(gate, clients);
    }

    public EngineOptions withClients(Function<ReplicaConfig, ReplicaClient> factory) {
        return new EngineOptions(writeGate, factory);
    }

    /** {@link Replicator.Builder#start()} with these options instead of the defaults. */
    public Replicator start(Replicator.Builder builder) {
        return starter.start(builder, this);
    }
}
