package dev.keel.cli.config;

import dev.keel.replication.api.AgeEncryption;
import dev.keel.replication.api.InvalidSettingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a replica's {@code age:} block as Litestream 0.3 does ({@code recipients:} to write,
 * {@code identities:} to read, each entry the text of an age key file), plus Keel's
 * {@code identity-files:}, so secret keys can stay out of the config file (as can {@code $VAR}s in
 * {@code identities:}). Every identity is added to the config's secrets; no message quotes a key.
 */
final class AgeSection {
    static final List<String> KEYS = List.of("recipients", "identities", "identity-files");
    /** An identity file holds a few lines of keys and comments: anything larger is not one. */
    static final int MAX_IDENTITY_FILE_BYTES = 64 << 10;

    private AgeSection() {
    }

    /** The replica's keys, or null when it has no {@code age:} block or an empty one (plain files, as in Litestream). */
    static AgeEncryption read(YamlMap replica, ConfigEnvironment env, Set<String> secrets) {
        Optional<YamlMap> found = replica.map("age");
        if (found.isEmpty()) return null;
        YamlMap age = found.get();
        age.rejectUnknownKeys(KEYS);
        List<String> identities = new ArrayList<>(age.strings("identities"));
        for (String file : age.strings("identity-files")) identities.add(readIdentityFile(age, file, env));
        for (String text : identities) {
            for (String line : text.split("\r?\n")) ConfigSecrets.add(secrets, line.strip());
            ConfigSecrets.add(secrets, text.strip());
        }
        List<String> recipients = age.strings("recipients");
        if (identities.stream().allMatch(String::isBlank) && recipients.stream().allMatch(String::isBlank)) return null;
        try {
            return new AgeEncryption(recipients, identities);
        } catch (InvalidSettingException e) {
            // Entries count identities: first, then identity-files:. The message names the entry, never the key.
            String key = e.setting().equals("age") ? "recipients" : e.setting();
            String where = key.equals("identities") && age.has("identity-files")
                    ? age.path("identities") + " / " + age.path("identity-files") : age.path(key);
            throw age.error(age.has(key) ? key : "identity-files", where + " " + e.getMessage().substring(e.setting().length() + 1),
                    "recipients are age1... public keys, identities AGE-SECRET-KEY-1... secret keys (as age-keygen writes them)");
        }
    }

    private static String readIdentityFile(YamlMap age, String name, ConfigEnvironment env) {
        Path file = name.isBlank() ? null : env.expandPath(name);
        if (file == null) {
            throw age.error("identity-files", age.path("identity-files") + " holds an empty or unexpandable path",
                    "give the path of an age identity file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_IDENTITY_FILE_BYTES + 1);
            if (bytes.length > MAX_IDENTITY_FILE_BYTES) {
                throw age.error("identity-files", "age identity file " + file + " is larger than "
                        + MAX_IDENTITY_FILE_BYTES + " bytes", "give a file of AGE-SECRET-KEY-1... lines, as age-keygen writes it");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw age.error("identity-files", "age identity file " + file + " does not exist",
                    "create it (age-keygen -o FILE) or fix the path in " + age.path("identity-files"));
        } catch (IOException e) {
            throw age.error("identity-files", "cannot read age identity file " + file + ": " + e.getClass().getSimpleName(),
                    "check the file's permissions");
        }
    }
}
