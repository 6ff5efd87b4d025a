package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * How one replica's uploads come back after they failed: it logs how an outage ended (the loop logs the
 * failures themselves) and, after a storage failure, checks that the storage still has the newest object
 * it acknowledged before it (a server that crashed before making it durable loses it).
 */
final class OutageRecovery {
    /** The replica's logger: these lines are the replica's, and log settings name that class. */
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

    /** The storage lost an object it acknowledged: why, and whether the lost generation is the current one. */
    record Loss(String why, boolean current) {
    }

    private final Path database;
    private final String replica;
    private final ReplicaClient client;
    /** The newest object the storage acknowledged, looked for again after a storage failure. */
    private final LastAcknowledged acknowledged = new LastAcknowledged();
    private boolean failing;
    private Position heldWhenFailing;

    OutageRecovery(Path database, String replica, ReplicaClient client) {
        this.database = database;
        this.replica = replica;
        this.client = client;
    }

    /** An attempt failed; {@code before} is what the replica held when it began. */
    void failed(Position before, Exception e) {
        if (!failing) heldWhenFailing = before;
        if (StorageFailures.find(e) != null || StorageOutage.isUnreachable(e)) acknowledged.storageFailed(e);
        failing = true;
    }

    /**
     * An attempt worked: after failed ones, logs what the replica holds now and what it held when they
     * began. A null position (a new generation is due) is caught up once its snapshot is stored.
     */
    void succeeded(Position position) {
        if (failing && position != null) {
            failing = false;
            LogFields.replica(LOG, Level.INFO, database, replica).addKeyValue("position", position).log(
                    "{} -> {}: caught up: the replica holds everything up to {} (it held {} when uploads began to fail)",
                    database, client.describe(), position,
                    heldWhenFailing == null ? "nothing of the generation" : heldWhenFailing);
        }
    }

    /** The storage acknowledged {@code key} of {@code generation}. */
    void acknowledged(Generation generation, String key) {
        acknowledged.acknowledged(generation, key);
    }

    /** The replica's position was learned from its listing (or it holds nothing): nothing to look for. */
    void known() {
        acknowledged.known();
    }

    /**
     * After a storage failure, one request looks for the newest object the storage acknowledged before
     * it. When the storage lost it, continuing its generation would leave a gap that a restore refuses:
     * returns the loss (logged), null when the replica may go on from {@code pos}.
     */
    Loss lostBefore(Position pos, Position head) throws IOException {
        LastAcknowledged.Acknowledged due = acknowledged.due(pos.generation());
        if (due == null) return null;
        LastAcknowledged.Lost lost = acknowledged.check(client, due);
        if (lost == null) return null;
        boolean current = pos.generation().equals(head.generation());
        String why = "the storage lost " + due.key() + " of replica " + replica + ", which it had acknowledged at "
                + due.at() + " before it failed (" + lost.failure() + ")";
        LogFields.replica(LOG, Level.WARN, database, replica).addKeyValue("position", pos).addKeyValue("missing", due.key()).log(
                "{} -> {}: {}; continuing generation {} from {} would leave a gap that a restore refuses: {}",
                database, client.describe(), why, pos.generation(), pos, current
                        ? "starting a new generation with a snapshot"
                        : "the rest of that generation is not uploaded, generation " + head.generation() + " goes on");
        return new Loss(why, current);
    }
}
