package dev.keel.storage.sftp;

import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * One logged-in SFTP session to a replica's server, shared by all threads (the SFTP client
 * multiplexes requests). A dropped session is replaced on the next call.
 */
final class SftpConnection implements AutoCloseable {
    private final ReplicaStorage.Sftp storage;
    private final SftpOptions options;
    private final HostKeyCheck hostKeyCheck;
    private SshClient ssh;
    private ClientSession session;
    private SftpClient sftp;

    SftpConnection(ReplicaStorage.Sftp storage, SftpOptions options) {
        this.storage = storage;
        this.options = options;
        this.hostKeyCheck = new HostKeyCheck(storage.hostKey(), options.knownHosts());
    }

    /** A live SFTP client, logging in again when the previous session was dropped. */
    synchronized SftpClient client() throws IOException {
        if (sftp != null && sftp.isOpen() && session.isOpen()) return sftp;
        closeSession();
        if (ssh == null) ssh = startClient();
        session = login();
        try {
            sftp = SftpClientFactory.instance().createSftpClient(session);
        } catch (IOException e) {
            closeSession();
            throw new SftpAccessException("could not start the SFTP subsystem: " + e.getMessage(),
                    "check that the server allows SFTP for user " + user(), e);
        }
        return sftp;
    }

    /** Forgets {@code broken} if it is still the current client, so the next call reconnects. */
    synchronized void invalidate(SftpClient broken) {
        if (broken == sftp) closeSession();
    }

    private SshClient startClient() {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(hostKeyCheck);
        // The SFTP client waits for each reply at most the idle timeout: this bounds a hung server.
        CoreModuleProperties.IDLE_TIMEOUT.set(client, options.ioTimeout());
        CoreModuleProperties.AUTH_TIMEOUT.set(client, options.connectTimeout());
        SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.set(client, options.connectTimeout());
        client.start();
        return client;
    }

    private ClientSession login() throws IOException {
        ClientSession next = null;
        try {
            next = ssh.connect(user(), storage.host(), storage.port()).verify(options.connectTimeout()).getSession();
            if (storage.password() != null && !storage.password().isEmpty()) next.addPasswordIdentity(storage.password());
            if (storage.keyPath() != null && !storage.keyPath().isEmpty()) {
                for (KeyPair key : loadKeys(next, Path.of(storage.keyPath()))) next.addPublicKeyIdentity(key);
            }
            next.auth().verify(options.connectTimeout());
            return next;
        } catch (IOException | RuntimeException e) {
            if (next != null) next.close(true);
            throw explain(e);
        }
    }

    private static Iterable<KeyPair> loadKeys(ClientSession session, Path keyFile) throws IOException {
        try (InputStream in = Files.newInputStream(keyFile)) {
            return SecurityUtils.loadKeyPairIdentities(session, NamedResource.ofName(keyFile.toString()), in, FilePasswordProvider.EMPTY);
        } catch (NoSuchFileException e) {
            throw new SftpAccessException("key-path " + keyFile + " does not exist", "fix key-path in the replica config", e);
        } catch (GeneralSecurityException e) {
            throw new SftpAccessException("cannot read the private key " + keyFile + ": " + e.getMessage(),
                    "use an unencrypted OpenSSH or PEM private key", e);
        }
    }

    /** Turns what went wrong while connecting into a message that says what to change. */
    private IOException explain(Exception e) {
        if (e instanceof SftpAccessException access) return access;
        String refusal = hostKeyCheck.refusal();
        if (refusal != null) {
            String line = hostKeyCheck.refusedKeyLine();
            return new SftpAccessException(refusal, "if this is the right server, add `host-key: " + line
                    + "` to the replica config, or add \"" + knownHostsHost() + " " + line + "\" to " + options.knownHosts(), e);
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.contains("authentication") || message.contains("No more authentication methods")) {
            return new SftpAccessException("the server refused the credentials for user " + user(),
                    "check user and password, or key-path, in the replica config", e);
        }
        // Neither a refused key nor refused credentials: the server could not be reached or dropped the
        // connection (killed mid-handshake, "Session is being closed", a reset). sshd reports these without a
        // socket error in the causes; a ConnectException says so, for the engine's outage check.
        java.net.ConnectException unreachable = new java.net.ConnectException(message);
        unreachable.initCause(e);
        return new SftpAccessException("cannot connect to " + storage.host() + ":" + storage.port() + ": " + message,
                "check host and port in the replica config and that the SSH server is running and reachable", unreachable);
    }

    private String knownHostsHost() {
        return storage.port() == 22 ? storage.host() : "[" + storage.host() + "]:" + storage.port();
    }

    String user() {
        return storage.user() == null || storage.user().isEmpty() ? System.getProperty("user.name") : storage.user();
    }

    private void closeSession() {
        try {
            if (sftp != null) sftp.close();
        } catch (IOException ignored) {
            // the session is being dropped anyway
        }
        if (session != null) session.close(true);
        sftp = null;
        session = null;
    }

    @Override
    public synchronized void close() {
        closeSession();
        if (ssh != null) ssh.stop();
        ssh = null;
    }
}
