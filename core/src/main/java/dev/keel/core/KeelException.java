package dev.keel.core;

import java.util.Objects;

/**
 * The one exception type user-facing failures travel in: what went wrong, the object it concerns
 * (a db path, replica URL, file:line) and a hint that says what to do about it.
 */
public class KeelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String subject;
    private final String hint;

    public KeelException(ErrorCode code, String message, String subject, String hint, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.subject = subject;
        this.hint = hint;
    }

    public KeelException(ErrorCode code, String message, String subject, String hint) {
        this(code, message, subject, hint, null);
    }

    public KeelException(ErrorCode code, String message) {
        this(code, message, null, null, null);
    }

    public ErrorCode code() {
        return code;
    }

    /** The db path, replica URL or file:line the failure concerns; null when there is none. */
    public String subject() {
        return subject;
    }

    /** What the user can do about it; null when there is nothing useful to say. */
    public String hint() {
        return hint;
    }

    /** A copy that names a more precise subject (e.g. adds the replica to a storage error). */
    public KeelException withSubject(String newSubject) {
        KeelException copy = new KeelException(code, getMessage(), newSubject, hint, getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    /** The message as shown to users: "subject: message" when a subject is known. */
    public String describe() {
        return subject == null ? getMessage() : subject + ": " + getMessage();
    }

    @Override
    public String toString() {
        return "KeelException[" + code + "] " + describe() + (hint == null ? "" : " (hint: " + hint + ")");
    }
}
