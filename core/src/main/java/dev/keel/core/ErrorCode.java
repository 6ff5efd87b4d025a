package dev.keel.core;

/**
 * What kind of failure a {@link KeelException} reports; each code knows the process exit status
 * the command line maps it to, so exit codes are decided in exactly one place.
 */
public enum ErrorCode {
    /** Something failed that fits no narrower code. */
    FAILURE(1),
    /** A check found that the database differs from what was wanted (schema drift, validation mismatch). */
    DRIFT(2),
    /** The command line was used wrongly: unknown option, missing argument. */
    USAGE(64),
    /** Input data is wrong: a config file, a schema file, a replica file, a database that is not SQLite. */
    BAD_INPUT(65),
    /** A needed database, config or replica does not exist. */
    NOT_FOUND(66),
    /** A storage server could not be reached, refused the credentials, or has no such bucket. */
    STORAGE_UNAVAILABLE(69),
    /** A local file could not be read or written (disk full, permissions, locked database). */
    IO(74),
    /** A precondition set by the user blocks the operation (deletions without --allow-deletions, lint errors). */
    REFUSED(3);

    private final int exitStatus;

    ErrorCode(int exitStatus) {
        this.exitStatus = exitStatus;
    }

    /** The process exit status the command line uses for this code. */
    public int exitStatus() {
        return exitStatus;
    }
}
