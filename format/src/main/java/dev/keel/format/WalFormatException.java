package dev.keel.format;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;

/** Bytes that should be SQLite WAL or database content are not: bad magic, bad checksum, short read. */
public class WalFormatException extends KeelException {
    private static final long serialVersionUID = 1L;

    public WalFormatException(String message, String subject) {
        super(ErrorCode.BAD_INPUT, message, subject, null);
    }

    public WalFormatException(String message) {
        this(message, null);
    }
}
