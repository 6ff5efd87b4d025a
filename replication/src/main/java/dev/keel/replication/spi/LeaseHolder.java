package dev.keel.replication.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Who holds a replica's lease: the host, process id and process start time a person needs to find the
 * replicator, plus a random token that tells two replicators of one process apart.
 */
public record LeaseHolder(String host, long pid, Instant started, String token) {
    public LeaseHolder {
        host = clean(Objects.requireNonNull(host, "host"));
        Objects.requireNonNull(started, "started");
        if (token == null || !token.matches("[0-9a-f]{8,64}")) throw new IllegalArgumentException("invalid lease token: " + token);
    }

    /** This process, with a new token. */
    public static LeaseHolder self() {
        return self(newToken());
    }

    /** This process, with {@code token} (one a previous run of the same replicator wrote). */
    public static LeaseHolder self(String token) {
        return new LeaseHolder(Self.HOST, Self.PID, Self.STARTED, token);
    }

    /**
     * This process, read once: a fleet takes a lease per database at start, and reading the process's
     * start time (from /proc) and resolving the host name each time cost more than the rest of the lease.
     */
    private static final class Self {
        static final String HOST = hostName();
        static final long PID = ProcessHandle.current().pid();
        static final Instant STARTED = ProcessHandle.current().info().startInstant().orElse(Instant.EPOCH);
    }

    /** A random token. */
    public static String newToken() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** True when {@code other} is this very holder (same token). */
    public boolean same(LeaseHolder other) {
        return other != null && token.equals(other.token);
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env;
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }

    /** One printable line of at most 255 characters: a host name read from storage is untrusted. */
    private static String clean(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 255; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x21 && c < 0x7f ? c : '?');
        }
        return out.isEmpty() ? "?" : out.toString();
    }

    @Override
    public String toString() {
        return "host " + host + " (pid " + pid + ", started " + started + ")";
    }
}
