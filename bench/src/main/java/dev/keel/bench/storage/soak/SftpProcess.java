package dev.keel.bench.storage.soak;

import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Apache MINA SSHD's SFTP server in its own JVM, see {@link SftpServerMain}. */
final class SftpProcess implements StorageServer {
    private static final String USER = "soak";
    private static final String PASSWORD = "soak-password";
    private final int port = ServerProcess.freePort();
    private final Path hostKey;
    private final Path log;
    private final ServerProcess process;

    SftpProcess(Path dir) {
        this.log = dir.resolve("sftp.log");
        this.hostKey = dir.resolve("sftp-host-key");
        this.process = new ServerProcess("sftp", ServerProcess.java(SftpServerMain.class, Integer.toString(port),
                dir.resolve("sftp-root").toString(), USER, PASSWORD, hostKey.toString()), port, log);
    }

    @Override
    public String name() {
        return "sftp";
    }

    @Override
    public void start() throws Exception {
        process.start();
    }

    @Override
    public void kill() throws Exception {
        process.kill();
    }

    private String hostKeyLine() {
        try {
            return Files.readString(Path.of(hostKey + ".pub")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("the SFTP server wrote no host key yet", e);
        }
    }

    @Override
    public String replicaYaml(String path) {
        return """
                      - type: sftp
                        host: 127.0.0.1:%d
                        user: %s
                        password: %s
                        path: /%s
                        host-key: %s
                        sync-interval: 500ms
                """.formatted(port, USER, PASSWORD, path, hostKeyLine());
    }

    @Override
    public ReplicaStorage storage(String path) {
        return new ReplicaStorage.Sftp("127.0.0.1", port, USER, PASSWORD, null, "/" + path, hostKeyLine());
    }

    @Override
    public Path log() {
        return log;
    }

    @Override
    public void close() throws Exception {
        process.kill();
    }
}
