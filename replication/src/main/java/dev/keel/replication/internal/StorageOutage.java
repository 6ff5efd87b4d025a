package dev.keel.replication.internal;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Tells a storage that cannot be reached right now (connection refused or reset, no route, a connect or
 * read timeout: a server restarting, a network blip) from one that answered and refused (credentials, a
 * missing bucket, a host key that does not match). The first is an outage Keel rides out with its
 * shadow WAL; the second is a setting to fix.
 */
public final class StorageOutage {
    private StorageOutage() {
    }

    /** True when a network failure to reach the server is somewhere along {@code e}'s causes (or suppressed ones). */
    public static boolean isUnreachable(Throwable e) {
        return find(e, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static boolean find(Throwable e, Set<Throwable> seen) {
        if (e == null || !seen.add(e) || seen.size() > 32) return false;
        // SocketException: refused, no route, reset or broken mid-request (a server killed while answering)
        if (e instanceof SocketException || e instanceof SocketTimeoutException || e instanceof HttpTimeoutException) {
            return true;
        }
        for (Throwable s : e.getSuppressed()) {
            if (find(s, seen)) return true;
        }
        return find(e.getCause(), seen);
    }
}
