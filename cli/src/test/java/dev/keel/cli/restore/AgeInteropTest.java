package dev.keel.cli.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import dev.keel.cli.Keel;
import dev.keel.cli.config.ConfigEnvironment;
import dev.keel.cli.config.ConfigLoader;
import dev.keel.cli.config.KeelConfig;
import dev.keel.format.Lz4;
import dev.keel.replication.Replicator;
import dev.keel.testing.Litestream;
import dev.keel.testing.S3TestServer;
import dev.keel.testing.WriterLoad;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Age-encrypted replicas both ways with Litestream 0.3.13's binary, on a directory and on S3 (s3proxy on
 * 127.0.0.1): Litestream restores what Keel wrote with keys from a Keel config file (identity from an
 * environment variable), and {@code keel restore -config} restores what Litestream wrote (identity from a
 * file). A wrong or missing identity fails naming the replica with exit 65 and writes nothing; a replica
 * mixing encrypted and plain files is refused naming the file; no key is ever printed, in text or JSON.
 */
@Timeout(300)
class AgeInteropTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-age";

    @TempDir
    Path dir;

    @BeforeAll
    static void createBucket() {
        SERVER.createBucket(BUCKET);
    }

    record Run(int status, String out, String err) {
    }

    static Run keel(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    /** {recipient, identity}, as age-keygen prints them. */
    static String[] keyPair() throws Exception {
        KeyPair pair = new X25519KeyPairGenerator().generateKeyPair();
        return new String[] {pair.getPublic().toString(), pair.getPrivate().toString()};
    }

    private static Map<String, String> credentials() {
        return Map.of("LITESTREAM_ACCESS_KEY_ID", SERVER.accessKeyId(), "LITESTREAM_SECRET_ACCESS_KEY", SERVER.secretAccessKey());
    }

    /** The replica's location keys (YAML lines) for a directory or for a fresh S3 path. */
    private List<String> location(boolean s3) {
        if (!s3) return List.of("type: file", "path: " + dir.resolve("replica-" + UUID.randomUUID()));
        return List.of("type: s3", "bucket: " + BUCKET, "path: age-" + UUID.randomUUID(), "endpoint: " + SERVER.endpoint(),
                "region: us-east-1", "force-path-style: true");
    }

    /** A Keel or Litestream config for {@code db} with one replica: location, 100 ms sync, and an age block. */
    private static String config(Path db, List<String> location, String... ageLines) {
        List<String> keys = new ArrayList<>(location);
        keys.add("sync-interval: 100ms");
        keys.add("age:");
        for (String line : ageLines) keys.add("  " + line);
        StringBuilder yaml = new StringBuilder("dbs:\n  - path: " + db + "\n    replicas:\n");
        for (int i = 0; i < keys.size(); i++) yaml.append(i == 0 ? "      - " : "        ").append(keys.get(i)).append('\n');
        return yaml.toString();
    }

    /** Keel's config adds the S3 credentials (Litestream takes them from the environment). */
    private static String keelConfig(Path db, List<String> location, String... ageLines) {
        List<String> withCredentials = new ArrayList<>(location);
        if (location.get(0).equals("type: s3")) {
            withCredentials.add("access-key-id: " + SERVER.accessKeyId());
            withCredentials.add("secret-access-key: " + SERVER.secretAccessKey());
        }
        return config(db, withCredentials, ageLines);
    }

    @Test
    void litestreamRestoresWhatKeelEncryptedToADirectory() throws Exception {
        litestreamRestoresWhatKeelEncrypted(false);
    }

    @Test
    void litestreamRestoresWhatKeelEncryptedToS3() throws Exception {
        litestreamRestoresWhatKeelEncrypted(true);
    }

    @Test
    void keelRestoresWhatLitestreamEncryptedToADirectoryAndRefusesWrongKeysAndMixedFiles() throws Exception {
        keelRestoresWhatLitestreamEncrypted(false);
    }

    @Test
    void keelRestoresWhatLitestreamEncryptedToS3AndRefusesWrongKeys() throws Exception {
        keelRestoresWhatLitestreamEncrypted(true);
    }

    private void litestreamRestoresWhatKeelEncrypted(boolean s3) throws Exception {
        Litestream.binary();
        String[] key = keyPair();
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        List<String> location = location(s3);
        // Keel's config keeps the identity out of the file: it comes from the environment.
        String text = keelConfig(db, location, "recipients:", "  - " + key[0], "identities:", "  - ${KEEL_TEST_AGE_IDENTITY}");
        ConfigEnvironment env = new ConfigEnvironment(Map.of("KEEL_TEST_AGE_IDENTITY", key[1]), dir, dir, dir);
        KeelConfig config = new ConfigLoader(env).parse(text, dir.resolve("keel.yml"), true);
        assertThat(config.databases().get(0).replicas().get(0).age().identities()).containsExactly(key[1]);
        assertThat(config.toString()).doesNotContain(key[1]);
        long seed = System.nanoTime();
        try (Replicator r = Replicator.configure().databases(config.databases()).start();
             WriterLoad writers = WriterLoad.start(db, 2, Duration.ofMillis(5), seed)) {
            Thread.sleep(2500);
            assertThat(writers.commits()).as("seed " + seed).isPositive();
        }
        if (!s3) assertEveryObjectIsAnAgeFile(Path.of(location.get(1).substring("path: ".length())));
        Path ours = dir.resolve("litestream.yml");
        Files.writeString(ours, config(db, location, "identities:", "  - " + key[1], "recipients:", "  - " + key[0]));
        Path out = dir.resolve("restored-by-litestream.db");
        Litestream.run(credentials(), "restore", "-config", ours.toString(), "-o", out.toString(), db.toString());
        assertThat(WriterLoad.integrityCheck(out)).isEqualTo("ok");
        assertThat(WriterLoad.rows(out)).as("seed " + seed).isEqualTo(WriterLoad.rows(db));
    }

    private void keelRestoresWhatLitestreamEncrypted(boolean s3) throws Exception {
        Litestream.binary();
        String[] key = keyPair();
        Path db = dir.resolve("app.db");
        List<String> location = location(s3);
        List<String> litestreamKeys = new ArrayList<>(location);
        litestreamKeys.add("sync-interval: 100ms");
        litestreamKeys.addAll(List.of("age:", "  identities:", "    - " + key[1], "  recipients:", "    - " + key[0]));
        Litestream.replicateUnderLoad(dir, db, credentials(), 7, litestreamKeys.toArray(String[]::new));
        if (!s3) assertEveryObjectIsAnAgeFile(Path.of(location.get(1).substring("path: ".length())));

        Path identityFile = dir.resolve("age-identity.txt");
        Files.writeString(identityFile, "# created: by the test\n# public key: " + key[0] + "\n" + key[1] + "\n");
        Path keelYml = dir.resolve("keel.yml");
        Files.writeString(keelYml, keelConfig(db, location, "identity-files:", "  - " + identityFile));
        Path out = dir.resolve("restored-by-keel.db");
        Run ok = keel("restore", "-config", keelYml.toString(), "-o", out.toString(), db.toString());
        assertThat(ok.status()).as(ok.err()).isZero();
        assertThat(WriterLoad.integrityCheck(out)).isEqualTo("ok");
        assertThat(WriterLoad.rows(out)).isEqualTo(WriterLoad.rows(db));

        String[] other = keyPair();
        Files.writeString(identityFile, other[1] + "\n");
        Path wrongOut = dir.resolve("wrong-key.db");
        String replica = s3 ? "s3://" + BUCKET + "/" + location.get(2).substring("path: ".length()) : location.get(1).substring("path: ".length());
        for (boolean json : List.of(false, true)) {
            Run wrong = json ? keel("restore", "--json", "-config", keelYml.toString(), "-o", wrongOut.toString(), db.toString())
                    : keel("restore", "-config", keelYml.toString(), "-o", wrongOut.toString(), db.toString());
            assertThat(wrong.status()).as(wrong.err()).isEqualTo(65);
            assertThat(wrong.err()).contains("key does not match").contains(replica)
                    .doesNotContain(key[1]).doesNotContain(other[1]).doesNotContain("\tat ");
            assertThat(wrong.out()).doesNotContain(key[1]).doesNotContain(other[1]);
            assertThat(wrongOut).doesNotExist();
        }
        // Without any identity (no age block at all): the same refusal.
        Path plainYml = dir.resolve("plain.yml");
        Files.writeString(plainYml, keelConfig(db, location).replace("        age:\n", ""));
        Run missing = keel("restore", "-config", plainYml.toString(), "-o", wrongOut.toString(), db.toString());
        assertThat(missing.status()).as(missing.err()).isEqualTo(65);
        assertThat(missing.err()).contains("key does not match").contains(replica);
        assertThat(wrongOut).doesNotExist();

        if (!s3) {
            // A plain LZ4 segment among Litestream's age files: refused, the file named.
            Files.writeString(identityFile, key[1] + "\n");
            Path root = Path.of(location.get(1).substring("path: ".length()));
            Path last;
            try (Stream<Path> files = Files.walk(root)) {
                last = files.filter(p -> p.toString().endsWith(".wal.lz4")).sorted().reduce((a, b) -> b).orElseThrow();
            }
            Path plain = last.resolveSibling(String.format("%08x_%08x.wal.lz4", Long.parseLong(last.getFileName().toString().substring(0, 8), 16) + 1, 0));
            Files.write(plain, Lz4.compress(new byte[] {1, 2, 3}));
            Run mixed = keel("restore", "-config", keelYml.toString(), "-o", wrongOut.toString(), db.toString());
            assertThat(mixed.status()).as(mixed.err()).isEqualTo(65);
            assertThat(mixed.err()).contains("mixes encrypted and plain files").contains(root.relativize(plain).toString());
            assertThat(wrongOut).doesNotExist();
        }
    }

    private static void assertEveryObjectIsAnAgeFile(Path replica) throws Exception {
        try (Stream<Path> files = Files.walk(replica)) {
            List<Path> objects = files.filter(p -> p.toString().endsWith(".lz4")).toList();
            assertThat(objects).hasSizeGreaterThan(1).allSatisfy(f -> assertThat(new String(
                    Arrays.copyOf(Files.readAllBytes(f), 22), StandardCharsets.US_ASCII)).isEqualTo("age-encryption.org/v1\n"));
        }
    }
}
