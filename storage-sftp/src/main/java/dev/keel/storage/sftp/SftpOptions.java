package dev.keel.storage.sftp;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Tuning of the SFTP backend that is not part of a replica's config: how long to wait for a
 * connection and for each reply, and which known_hosts file vouches for servers without a pinned key.
 */
public record SftpOptions(Duration connectTimeout, Duration ioTimeout, Path knownHosts) {
    /** 10 s to connect and log in, 60 s for any reply, ~/.ssh/known_hosts. */
    public static SftpOptions defaults() {
        return new SftpOptions(Duration.ofSeconds(10), Duration.ofSeconds(60),
                Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
    }

    public SftpOptions withTimeouts(Duration connect, Duration io) {
        return new SftpOptions(connect, io, knownHosts);
    }

    public SftpOptions withKnownHosts(Path file) {
        return new SftpOptions(connectTimeout, ioTimeout, file);
    }
}
