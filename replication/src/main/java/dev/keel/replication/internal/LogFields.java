package dev.keel.replication.internal;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Key/value fields attached to the engine's log events, under the same names everywhere, so a JSON log
 * can be filtered by database or replica without parsing messages: {@code db}, {@code replica},
 * {@code generation}, {@code position}, {@code bytes}, {@code code} (an {@link ErrorCode} name) and
 * {@code error}. Values are never secrets: a replica is named by its configured name, not its URL.
 */
final class LogFields {
    private LogFields() {
    }

    /** An event about database {@code db}. */
    static LoggingEventBuilder db(Logger log, Level level, Path db) {
        return log.atLevel(level).addKeyValue("db", String.valueOf(db));
    }

    /** An event about one replica of {@code db}. */
    static LoggingEventBuilder replica(Logger log, Level level, Path db, String replica) {
        return db(log, level, db).addKeyValue("replica", replica);
    }

    /** Adds what went wrong: the error's code and its messages. */
    static LoggingEventBuilder failure(LoggingEventBuilder event, Throwable e) {
        return event.addKeyValue("code", code(e).name()).addKeyValue("error", FailureLog.describe(e));
    }

    /** The code the public API reports {@code e} with: its own, STORAGE_UNAVAILABLE, IO or FAILURE. */
    static ErrorCode code(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; t = t.getCause(), depth++) {
            if (t instanceof KeelException k) return k.code();
        }
        if (StorageFailures.find(e) != null) return ErrorCode.STORAGE_UNAVAILABLE;
        if (e instanceof IOException) return ErrorCode.IO;
        return ErrorCode.FAILURE; // SQLite and anything else
    }
}
