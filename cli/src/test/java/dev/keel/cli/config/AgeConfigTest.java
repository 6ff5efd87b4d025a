package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import dev.keel.cli.KeelCliTest;
import dev.keel.core.KeelException;
import dev.keel.replication.api.AgeEncryption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code age:} block: Litestream's {@code recipients}/{@code identities}, Keel's {@code identity-files},
 * identities from the environment; an identity never shows in an error or in {@code keel databases}.
 */
class AgeConfigTest {
    @TempDir
    Path dir;

    private String yaml(String... ageLines) {
        StringBuilder s = new StringBuilder("dbs:\n  - path: " + dir.resolve("a.db") + "\n    replicas:\n      - path: "
                + dir.resolve("replica") + "\n        age:\n");
        for (String line : ageLines) s.append("          ").append(line).append('\n');
        return s.toString();
    }

    private KeelConfig parse(String text, Map<String, String> env) {
        return new ConfigLoader(new ConfigEnvironment(env, dir, dir, dir)).parse(text, dir.resolve("keel.yml"), true);
    }

    @Test
    void keysComeFromTheFileTheEnvironmentAndIdentityFiles() throws Exception {
        KeyPair a = new X25519KeyPairGenerator().generateKeyPair();
        KeyPair b = new X25519KeyPairGenerator().generateKeyPair();
        Path file = dir.resolve("identity.txt");
        Files.writeString(file, "# public key: " + b.getPublic() + "\n" + b.getPrivate() + "\n");
        KeelConfig config = parse(yaml("recipients: [" + a.getPublic() + ", " + b.getPublic() + "]",
                "identities: [\"$AGE_ID\"]", "identity-files: [" + file + "]"), Map.of("AGE_ID", a.getPrivate().toString()));
        AgeEncryption age = config.databases().get(0).replicas().get(0).age();
        assertThat(age.recipients()).containsExactly(a.getPublic().toString(), b.getPublic().toString());
        assertThat(age.identities()).containsExactly(a.getPrivate().toString(), b.getPrivate().toString());
        assertThat(config.toString()).doesNotContain(a.getPrivate().toString()).doesNotContain(b.getPrivate().toString());
        // An empty block is no block, as in Litestream.
        assertThat(parse(yaml("identities: []", "recipients: []"), Map.of()).databases().get(0).replicas().get(0).age()).isNull();
    }

    @Test
    void aBrokenIdentityIsRefusedWithoutShowingIt() {
        String broken = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
        assertThatThrownBy(() -> parse(yaml("identities:", "  - \"$AGE_ID\""), Map.of("AGE_ID", broken)))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.getMessage()).contains("age.identities").contains("entry 1");
                    assertThat(e.toString() + e.hint()).doesNotContain(broken);
                });
    }

    @Test
    void keelDatabasesNeverPrintsAnIdentity() throws Exception {
        KeyPair a = new X25519KeyPairGenerator().generateKeyPair();
        Path config = dir.resolve("keel.yml");
        Files.writeString(config, yaml("recipients: [" + a.getPublic() + "]", "identities: [" + a.getPrivate() + "]"));
        for (List<String> args : List.of(List.of("databases", "-config", config.toString()),
                List.of("databases", "--json", "-config", config.toString()))) {
            KeelCliTest.Run run = KeelCliTest.run(args.toArray(String[]::new));
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out() + run.err()).doesNotContain(a.getPrivate().toString());
        }
    }
}
