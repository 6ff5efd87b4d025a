package dev.keel.storage.sftp;

import java.io.IOException;

/** Connecting or logging in to the SFTP server failed; carries a hint for the user. */
final class SftpAccessException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String hint;

    SftpAccessException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    String hint() {
        return hint;
    }
}
