package dev.keel.server;

import dev.keel.replication.api.Position;
import java.time.Instant;

/** What the server knows of one replica of one database; guarded by its {@link DatabaseState}. */
final class ReplicaState {
    final String name;
    String type;
    String location;
    Position position;
    Instant lastUpload;
    String lastError;
    String hint;
    Instant lastErrorAt;
    boolean failing;
    long failures;
    long walBytes;
    long validationsOk;
    long validationsError;

    ReplicaState(String name) {
        this.name = name;
    }
}
