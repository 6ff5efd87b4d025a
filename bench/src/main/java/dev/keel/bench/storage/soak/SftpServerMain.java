package dev.keel.bench.storage.soak;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An SFTP server (Apache MINA SSHD) alone in its JVM so the soak can {@code kill -9} it:
 * {@code SftpServerMain PORT ROOT_DIR USER PASSWORD HOST_KEY_FILE}. The host key is generated once into
 * HOST_KEY_FILE and reused on restart; its OpenSSH public line is written to HOST_KEY_FILE.pub.
 */
public final class SftpServerMain {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path root = Files.createDirectories(Path.of(args[1]));
        String user = args[2];
        String password = args[3];
        Path hostKeyFile = Path.of(args[4]);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(hostKeyFile);
        keys.setAlgorithm("EC");
        keys.setKeySize(256);
        KeyPair hostKey = keys.loadKeys(null).iterator().next();
        Files.writeString(Path.of(hostKeyFile + ".pub"), PublicKeyEntry.toString(hostKey.getPublic()));
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(port);
        sshd.setKeyPairProvider(keys);
        sshd.setPasswordAuthenticator((u, given, session) -> user.equals(u) && password.equals(given));
        sshd.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(root));
        sshd.start();
        System.out.println("ready");
        Thread.currentThread().join();
    }
}
