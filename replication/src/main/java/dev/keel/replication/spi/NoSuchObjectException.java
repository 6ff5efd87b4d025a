package dev.keel.replication.spi;

import java.io.IOException;

/** A read named an object the replica does not hold. */
public class NoSuchObjectException extends IOException {
    private static final long serialVersionUID = 1L;

    public NoSuchObjectException(String key) {
        super("no such object: " + key);
    }
}
