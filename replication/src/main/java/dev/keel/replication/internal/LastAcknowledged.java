package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.time.Instant;

/**
 * The newest object a replica's storage acknowledged in this run (a WAL segment, or a snapshot when no
 * segment followed it), and whether it must be looked for again before the generation goes on. Some
 * storages lose writes they acknowledged when they crash (Azurite keeps its blob index in memory and
 * saves it now and then); a replica that continued its generation after such a loss would hold a gap
 * that a restore refuses. So after a storage failure, the next attempt first makes one request to see
 * that object still there; when it is gone, the replica starts a new generation.
 *
 * <p>Objects acknowledged before the newest are not checked: a storage that persists in order (as
 * Azurite does, saving its whole index at once) keeps them when it kept the newest.
 */
final class LastAcknowledged {
    /** An acknowledged object of a generation, and when the storage acknowledged it. */
    record Acknowledged(Generation generation, String key, Instant at) {
    }

    /** What the check found: the object is gone, with what the log needs to explain it. */
    record Lost(Acknowledged object, String failure) {
    }

    private volatile Acknowledged last;
    private volatile boolean armed;
    private volatile String failure;

    /** The storage acknowledged {@code key} of {@code generation} just now. */
    void acknowledged(Generation generation, String key) {
        last = new Acknowledged(generation, key, Instant.now());
    }

    /** A storage call failed: the next attempt looks for the last acknowledged object first. */
    void storageFailed(Throwable e) {
        if (!armed) failure = String.valueOf(e.getMessage());
        armed = true;
    }

    /** The replica was listed (or starts a new generation): what it holds is known without a check. */
    void known() {
        armed = false;
    }

    /** The object to look for when a check is due and it belongs to {@code generation}; null otherwise. */
    Acknowledged due(Generation generation) {
        Acknowledged a = last;
        if (!armed) return null;
        if (a == null || !a.generation().equals(generation)) {
            armed = false; // nothing acknowledged in this generation by this run: the listing that starts it is the check
            return null;
        }
        return a;
    }

    /**
     * Looks for {@code object} with one listing of its exact key; a failure propagates and the check stays
     * due (the storage is still down). Returns what was lost, or null when it is there.
     */
    Lost check(ReplicaClient client, Acknowledged object) throws IOException {
        boolean there = false;
        for (ObjectInfo info : client.list(object.key())) {
            if (info.key().equals(object.key())) there = true;
        }
        armed = false;
        return there ? null : new Lost(object, failure);
    }
}
