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
 * @param heldBudget the most databases held open at once; 0 derives it from the open-file limit
 */
public record EngineOptions(WriteGate writeGate, Function<ReplicaConfig, ReplicaClient> clients, int heldBudget) {
    public static final EngineOptions DEFAULT = new EngineOptions(WriteGate.NONE, ReplicaClients::open, 0);

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

    public EngineOptions(WriteGate writeGate, Function<ReplicaConfig, ReplicaClient> clients) {
        this(writeGate, clients, 0);
    }

    /** Called once by {@link Replicator}'s static initializer. */
    public static void register(Starter replicatorStarter) {
        starter = replicatorStarter;
    }

    public EngineOptions withWriteGate(WriteGate gate) {
        return new EngineOptions(gate, clients, heldBudget);
    }

    public EngineOptions withClients(Function<ReplicaConfig, ReplicaClient> factory) {
        return new EngineOptions(writeGate, factory, heldBudget);
    }

    /** Holds at most {@code databases} open (0: as many as the descriptor limit allows), so tests park constantly. */
    public EngineOptions withHeldBudget(int databases) {
        return new EngineOptions(writeGate, clients, databases);
    }

    /** {@link Replicator.Builder#start()} with these options instead of the defaults. */
    public Replicator start(Replicator.Builder builder) {
        return starter.start(builder, this);
    }
}
