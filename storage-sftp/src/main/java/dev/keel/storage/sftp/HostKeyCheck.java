package dev.keel.storage.sftp;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Decides whether to trust an SFTP server's host key: the key pinned in the replica config
 * ({@code host-key}) when there is one, else the known_hosts file. Never trusts a key on first use;
 * a refused key is remembered so the error can show its fingerprint and how to trust it.
 */
final class HostKeyCheck implements ServerKeyVerifier {
    private final ServerKeyVerifier verifier;
    private volatile String refusal;
    private volatile PublicKey refusedKey;

    HostKeyCheck(String pinnedLine, Path knownHosts) {
        if (pinnedLine != null && !pinnedLine.isBlank()) {
            PublicKey pinned = parse(pinnedLine);
            this.verifier = (session, address, key) -> {
                if (KeyUtils.compareKeys(pinned, key)) return true;
                refuse(key, "does not match the configured host-key (" + KeyUtils.getFingerPrint(pinned) + ")");
                return false;
            };
        } else {
            ServerKeyVerifier unknown = (session, address, key) -> {
                refuse(key, "is not in " + knownHosts);
                return false;
            };
            this.verifier = new KnownHostsServerKeyVerifier(unknown, knownHosts) {
                @Override
                public boolean acceptModifiedServerKey(ClientSession session, SocketAddress address, KnownHostEntry entry,
                                                       PublicKey expected, PublicKey actual) {
                    refuse(actual, "differs from the one in " + knownHosts + " (" + KeyUtils.getFingerPrint(expected)
                            + "): the server was reinstalled, or someone is in between");
                    return false;
                }
            };
        }
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress address, PublicKey key) {
        return verifier.verifyServerKey(session, address, key);
    }

    private void refuse(PublicKey key, String why) {
        refusedKey = key;
        refusal = why;
    }

    /** Why the last key was refused, or null when none was. */
    String refusal() {
        return refusal == null ? null : "the server's host key " + KeyUtils.getFingerPrint(refusedKey) + " " + refusal;
    }

    /** The refused key as an OpenSSH line, for the hint. */
    String refusedKeyLine() {
        return refusedKey == null ? null : PublicKeyEntry.toString(refusedKey);
    }

    /** Reads "type base64 [comment]", or a known_hosts line "host type base64". */
    static PublicKey parse(String line) {
        String trimmed = line.trim();
        String[] fields = trimmed.split("\\s+");
        if (fields.length >= 3 && KeyUtils.getPublicKeyEntryDecoder(fields[0]) == null
                && KeyUtils.getPublicKeyEntryDecoder(fields[1]) != null) {
            trimmed = trimmed.substring(trimmed.indexOf(fields[1]));
        }
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(trimmed).resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        } catch (Exception e) {
            throw new IllegalArgumentException("host-key is not an OpenSSH public key line (\"ssh-ed25519 AAAA...\"): " + e.getMessage(), e);
        }
    }
}
