package dev.keel.replication.api;

import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica's age keys, as Litestream 0.3's {@code age:} block holds them: every snapshot and WAL
 * segment written is an age file (X25519 recipients) wrapping the LZ4 frame, and reading one needs a
 * matching identity. Each entry may hold several keys, one a line, with blank lines and {@code #}
 * comments ignored (the text of an age key file). Keys are checked here; a bad one is an
 * {@link InvalidSettingException} that says which entry, never what it holds.
 *
 * <p>Writing needs {@code recipients}; reading (restore, and the replica's own position on restart)
 * needs {@code identities}: give both to a replica Keel writes, as Litestream requires.
 * {@link #toString()} shows how many keys there are and nothing of them.
 *
 * @param recipients public keys ({@code age1...}) every file is encrypted to
 * @param identities secret keys ({@code AGE-SECRET-KEY-1...}) that decrypt the replica's files
 */
public record AgeEncryption(List<String> recipients, List<String> identities) {
    public AgeEncryption {
        recipients = keys("recipients", recipients, "age1", AgeEncryption::checkRecipient);
        identities = keys("identities", identities, "AGE-SECRET-KEY-1", AgeEncryption::checkIdentity);
        if (recipients.isEmpty() && identities.isEmpty()) {
            throw new InvalidSettingException("age", "needs recipients (to write) or identities (to read)", "an empty block");
        }
    }

    /** True when files written are encrypted. */
    public boolean encrypts() {
        return !recipients.isEmpty();
    }

    /** True when encrypted files can be read. */
    public boolean decrypts() {
        return !identities.isEmpty();
    }

    @Override
    public String toString() {
        return "AgeEncryption[recipients=" + recipients.size() + ", identities=" + identities.size() + "]";
    }

    private interface Check {
        void check(String key) throws GeneralSecurityException;
    }

    /** The keys in {@code entries}, one a line, each checked; the message never holds a key's text. */
    private static List<String> keys(String setting, List<String> entries, String prefix, Check check) {
        List<String> out = new ArrayList<>();
        if (entries == null) return List.of();
        int n = 0;
        for (String entry : entries) {
            n++;
            if (entry == null) continue;
            for (String line : entry.split("\r?\n")) {
                String key = line.strip();
                if (key.isEmpty() || key.startsWith("#")) continue;
                String which = "entry " + n + " (" + key.length() + " characters)";
                if (!key.startsWith(prefix)) {
                    throw new InvalidSettingException(setting, "must hold X25519 keys starting " + prefix, which);
                }
                try {
                    check.check(key);
                } catch (GeneralSecurityException | RuntimeException e) {
                    // The library's message may quote the key: keep only that it is malformed.
                    throw new InvalidSettingException(setting, "must hold valid X25519 keys starting " + prefix
                            + " (a character is wrong or missing)", which);
                }
                out.add(key);
            }
        }
        return List.copyOf(out);
    }

    private static void checkRecipient(String key) throws GeneralSecurityException {
        X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(key);
    }

    private static void checkIdentity(String key) throws GeneralSecurityException {
        X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(key);
    }
}
