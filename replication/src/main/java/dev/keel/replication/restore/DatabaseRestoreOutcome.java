package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a fleet restore did with one database: restored (with the result and the replica it came
 * from), skipped and why, or failed and why.
 *
 * @param database the database's name: its relative path below a prefix, or its configured path
 * @param output   where it was (or would have been) restored; null when its name was refused
 * @param reason   why it was skipped or failed; null when restored
 * @param failure  the error, when failed
 * @param replica  the replica restored from, when restored
 * @param result   the restore's result, when restored
 */
public record DatabaseRestoreOutcome(String database, Path output, Status status, String reason, Failure failure,
                                     String replica, RestoreResult result) {
    /** The three ways one database's restore ends. */
    public enum Status { RESTORED, SKIPPED, FAILED }

    /** A failure as the report carries it: what, on which object, and what to do. */
    public record Failure(ErrorCode code, String message, String subject, String hint) {
        public Failure {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }

        static Failure of(KeelException e) {
            return new Failure(e.code(), e.getMessage(), e.subject(), e.hint());
        }

        /** "subject: message", as errors are shown. */
        public String describe() {
            return subject == null ? message : subject + ": " + message;
        }
    }

    public DatabaseRestoreOutcome {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(status, "status");
        if ((status == Status.FAILED) != (failure != null)) throw new IllegalArgumentException("a failure goes with FAILED only");
        if ((status == Status.RESTORED) != (result != null)) throw new IllegalArgumentException("a result goes with RESTORED only");
    }

    static DatabaseRestoreOutcome restored(String database, String replica, RestoreResult result) {
        return new DatabaseRestoreOutcome(database, result.output(), Status.RESTORED, null, null, replica, result);
    }

    static DatabaseRestoreOutcome skipped(String database, Path output, String reason) {
        return new DatabaseRestoreOutcome(database, output, Status.SKIPPED, reason, null, null, null);
    }

    static DatabaseRestoreOutcome failed(String database, Path output, KeelException e) {
        Failure f = Failure.of(e);
        return new DatabaseRestoreOutcome(database, output, Status.FAILED, f.describe(), f, null, null);
    }
}
