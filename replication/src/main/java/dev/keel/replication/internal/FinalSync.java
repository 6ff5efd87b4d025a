package dev.keel.replication.internal;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Position;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * What the last sync of a database before it is closed achieved, per replica: the position the replica
 * holds, or what it could not upload and why. A process that stops uses it to say, before it exits,
 * whether every committed transaction is on every replica.
 *
 * @param db           the database
 * @param head         the end of its shadow WAL (what a replica must hold to be current); null when empty
 * @param localFailure why copying the WAL to the shadow failed, or null
 * @param replicas     one outcome per replica
 */
public record FinalSync(Path db, Position head, Exception localFailure, List<Outcome> replicas) {
    /**
     * @param name        the replica's name
     * @param location    where it is (redacted description)
     * @param reached     what it acknowledged (null: nothing of the current generation)
     * @param notUploaded what it lacks, in words; null when it is current
     * @param error       why its upload failed, or null
     */
    public record Outcome(String name, String location, Position reached, String notUploaded, Exception error) {
        public boolean complete() {
            return notUploaded == null && error == null;
        }
    }

    public boolean complete() {
        return localFailure == null && replicas.stream().allMatch(Outcome::complete);
    }

    /** One line per replica: INFO with the position reached, WARN with what was not uploaded and why. */
    void log(Logger log) {
        if (localFailure != null) {
            LogFields.failure(LogFields.db(log, Level.WARN, db), localFailure).log(
                    "{}: final sync could not copy the newest WAL to the shadow WAL: {}", db, FailureLog.describe(localFailure));
        }
        for (Outcome o : replicas) {
            if (o.complete()) {
                LogFields.replica(log, Level.INFO, db, o.name()).addKeyValue("position", head).log(
                        "{} -> {}: final sync succeeded: the replica holds everything up to {}", db, o.location(),
                        head == null ? "(nothing written yet)" : head);
            } else {
                LoggingEventBuilder event = LogFields.replica(log, Level.WARN, db, o.name()).addKeyValue("position", o.reached());
                (o.error() == null ? event : LogFields.failure(event, o.error())).log(
                        "{} -> {}: final sync failed: not uploaded: {}{}", db, o.location(),
                        o.notUploaded() == null ? "unknown" : o.notUploaded(),
                        o.error() == null ? "" : ": " + FailureLog.describe(o.error()));
            }
        }
    }

    /**
     * Null when complete; else the error a stopping process reports: STORAGE_UNAVAILABLE when a replica
     * could not be written (unless its error carries another code), IO when the local WAL could not be read.
     */
    public KeelException failure() {
        if (complete()) return null;
        List<String> parts = new ArrayList<>();
        ErrorCode code = localFailure != null ? ErrorCode.IO : null;
        Exception cause = localFailure;
        if (localFailure != null) parts.add("the newest WAL could not be copied: " + FailureLog.describe(localFailure));
        for (Outcome o : replicas) {
            if (o.complete()) continue;
            parts.add("replica " + o.name() + " (" + o.location() + ") lacks " + (o.notUploaded() == null ? "unknown data" : o.notUploaded())
                    + (o.error() == null ? "" : ": " + FailureLog.describe(o.error())));
            if (code == null) code = o.error() instanceof KeelException k ? k.code() : ErrorCode.STORAGE_UNAVAILABLE;
            if (cause == null) cause = o.error();
        }
        return new KeelException(code, "final sync failed, not uploaded: " + String.join("; ", parts), db.toString(),
                "the data is kept in Keel's local shadow WAL beside the database; run keel replicate again once the"
                        + " storage is reachable and it uploads the rest (keep the database and that directory until then)", cause);
    }
}
