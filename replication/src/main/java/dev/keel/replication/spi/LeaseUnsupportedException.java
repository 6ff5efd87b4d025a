package dev.keel.replication.spi;

import java.io.IOException;

/**
 * The storage answered but cannot hold a lease (an S3 server that ignores conditional writes): a matter
 * of the replica's settings, not an outage, so it carries what to do instead.
 */
public final class LeaseUnsupportedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String hint;

    public LeaseUnsupportedException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    /** What to do about it. */
    public String hint() {
        return hint;
    }
}
