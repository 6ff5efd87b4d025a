package dev.keel.testing;

import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.List;
import java.util.UUID;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * A real SFTP server (Apache MINA SSHD, in-process) on 127.0.0.1 whose file system is a temp
 * directory. It accepts one user with a password or with a generated client key, and exposes its
 * host key as an OpenSSH line so clients can pin it. Restarts keep the port, host key and files.
 * Use it as a static {@code @RegisterExtension} field or by hand.
 */
public final class SftpTestServer implements TestServer {
    public static final String USER = "keel";
    private static final String KEY_TYPE = KeyPairProvider.ECDSA_SHA2_NISTP256;

    private final String password = "pw-" + UUID.randomUUID();
    private KeyPair hostKey;
    private KeyPair clientKey;
    private Path workDir;
    private Path root;
    private Path clientKeyFile;
    private SshServer server;
    private int port;

    /** Starts the server, on the port it had before when restarted. Does nothing when running. */
    @Override
    public synchronized SftpTestServer start() {
        if (server != null) return this;
        try {
            if (workDir == null) prepare();
            if (port == 0) port = S3TestServer.freePort();
            SshServer sshd = SshServer.setUpDefaultServer();
            sshd.setHost("127.0.0.1");
            sshd.setPort(port);
            sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
            sshd.setPasswordAuthenticator((user, given, session) -> USER.equals(user) && password.equals(given));
            sshd.setPublickeyAuthenticator((user, key, session) ->
                    USER.equals(user) && KeyUtils.compareKeys(key, clientKey.getPublic()));
            sshd.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
            sshd.setFileSystemFactory(new VirtualFileSystemFactory(root));
            sshd.start();
            server = sshd;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the SFTP test server", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not generate SSH keys", e);
        }
    }

    private void prepare() throws IOException, GeneralSecurityException {
        workDir = Files.createTempDirectory("keel-sftp-");
        root = Files.createDirectory(workDir.resolve("root"));
        hostKey = KeyUtils.generateKeyPair(KEY_TYPE, 256);
        clientKey = KeyUtils.generateKeyPair(KEY_TYPE, 256);
        clientKeyFile = workDir.resolve("id_ecdsa");
        try (OutputStream out = Files.newOutputStream(clientKeyFile)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(clientKey, "keel-test", null, out);
        }
        Files.setPosixFilePermissions(clientKeyFile, PosixFilePermissions.fromString("rw-------"));
    }

    /** Stops serving and drops every open session at once; files are kept for a later {@link #start()}. */
    @Override
    public synchronized void stop() {
        if (server == null) return;
        try {
            server.stop(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            server = null;
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return password;
    }

    /** The directory the server shows as "/". */
    public Path root() {
        start();
        return root;
    }

    /** An unencrypted OpenSSH private key file the server accepts for {@link #USER}. */
    public Path clientKeyFile() {
        start();
        return clientKeyFile;
    }

    /** The server's host key as an OpenSSH public key line ("ecdsa-sha2-nistp256 AAAA..."). */
    public String hostKeyLine() {
        start();
        return PublicKeyEntry.toString(hostKey.getPublic());
    }

    /** A known_hosts line for this server ("[127.0.0.1]:PORT ecdsa-sha2-nistp256 AAAA..."). */
    public String knownHostsLine() {
        return "[" + host() + "]:" + port() + " " + hostKeyLine();
    }

    /** Replica settings for {@code path} with password authentication and the pinned host key. */
    public ReplicaStorage.Sftp passwordStorage(String path) {
        start();
        return new ReplicaStorage.Sftp(host(), port, USER, password, null, path, hostKeyLine());
    }

    /** Replica settings for {@code path} with key authentication and the pinned host key. */
    public ReplicaStorage.Sftp keyStorage(String path) {
        start();
        return new ReplicaStorage.Sftp(host(), port, USER, null, clientKeyFile.toString(), path, hostKeyLine());
    }

    /** Stops the server and deletes its files. */
    @Override
    public synchronized void close() {
        stop();
        if (workDir != null) S3TestServer.deleteTree(workDir);
        workDir = null;
    }
}
