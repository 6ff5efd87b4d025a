package dev.keel.replication.cipher;

import static dev.keel.replication.TestDatabases.dump;
import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import dev.keel.core.KeelException;
import dev.keel.format.Lz4;
import dev.keel.replication.Replicator;
import dev.keel.replication.TestDatabases;
import dev.keel.replication.api.AgeEncryption;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.InvalidSettingException;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica with age keys: every object Keel writes is an age file wrapping the LZ4 frame, Keel restores
 * it (also after a second run of the replicator), and a wrong or missing identity, or a replica that
 * mixes encrypted and plain files, fails the restore naming the replica and the file, with no output
 * written and no key in the message.
 */
class AgeReplicaTest {
    @TempDir
    Path dir;

    /** An X25519 key pair as age-keygen would print it: {recipient, identity}. */
    static String[] keyPair() throws Exception {
        KeyPair pair = new X25519KeyPairGenerator().generateKeyPair();
        return new String[] {pair.getPublic().toString(), pair.getPrivate().toString()};
    }

    private ReplicaConfig replica(Path replica, AgeEncryption age) {
        return new ReplicaConfig("local", new ReplicaStorage.File(replica), Duration.ofMillis(50), null, null, null, null, age, null);
    }

    private List<String> replicate(Path db, ReplicaConfig replica, int rounds) throws Exception {
        DatabaseConfig config = new DatabaseConfig(db, null, Duration.ofMillis(50), Duration.ofMinutes(1), 40, 0, List.of(replica));
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)");
            try (Replicator r = Replicator.configure().databases(List.of(config)).backgroundLoops(false).start()) {
                for (int round = 0; round < rounds; round++) {
                    exec(app, "INSERT INTO t (v) SELECT hex(randomblob(200)) FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)");
                    r.sync();
                }
            }
            return dump(app);
        }
    }

    private static List<Path> objects(Path replica) throws Exception {
        try (Stream<Path> files = Files.walk(replica)) {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".lz4")).sorted().toList();
        }
    }

    @Test
    void keelWritesAgeFilesAndRestoresThemAcrossTwoRuns() throws Exception {
        String[] key = keyPair();
        AgeEncryption age = new AgeEncryption(List.of(key[0]), List.of("# created by a test\n" + key[1] + "\n"));
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        replicate(db, replica(replica, age), 5);
        List<String> rows = replicate(db, replica(replica, age), 5); // a second run of the replicator on the same replica
        assertThat(objects(replica)).hasSizeGreaterThan(5).allSatisfy(f -> assertThat(
                new String(Arrays.copyOf(Files.readAllBytes(f), 22), StandardCharsets.US_ASCII)).isEqualTo("age-encryption.org/v1\n"));
        Path out = dir.resolve("restored.db");
        try (ReplicaClient client = ReplicaClients.open(replica(replica, age))) {
            Restorer.configure().from(client).output(out).restore();
        }
        assertThat(dump(out)).isEqualTo(rows).hasSizeGreaterThanOrEqualTo(30);
        assertThat(TestDatabases.integrityCheck(out)).isEqualTo("ok");
    }

    @Test
    void aWrongOrMissingIdentityFailsNamingTheReplicaAndWritesNothing() throws Exception {
        String[] key = keyPair();
        String[] other = keyPair();
        Path replica = dir.resolve("replica");
        replicate(dir.resolve("app.db"), replica(replica, new AgeEncryption(List.of(key[0]), List.of(key[1]))), 3);
        Path out = dir.resolve("restored.db");
        for (ReplicaConfig config : List.of(replica(replica, new AgeEncryption(List.of(), List.of(other[1]))), replica(replica, null))) {
            try (ReplicaClient client = ReplicaClients.open(config)) {
                assertThatThrownBy(() -> Restorer.configure().from(client).output(out).restore())
                        .isInstanceOfSatisfying(KeelException.class, e -> {
                            assertThat(e.getMessage()).contains("key does not match");
                            assertThat(e.subject()).contains(replica.toString());
                            assertThat(e.toString() + e.hint()).doesNotContain(key[1]).doesNotContain(other[1]);
                        });
            }
            assertThat(out).doesNotExist();
            try (Stream<Path> left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("restored"));
            }
        }
    }

    @Test
    void aReplicaThatMixesEncryptedAndPlainFilesIsRefusedNamingTheFile() throws Exception {
        String[] key = keyPair();
        AgeEncryption age = new AgeEncryption(List.of(key[0]), List.of(key[1]));
        Path replica = dir.resolve("replica");
        replicate(dir.resolve("app.db"), replica(replica, age), 4);
        // One segment replaced by its plain LZ4 frame, as a writer without keys would have left it.
        Path segment = objects(replica).stream().filter(p -> p.toString().endsWith(".wal.lz4")).reduce((a, b) -> b).orElseThrow();
        byte[] plain;
        try (var in = AgeCipher.of(age).decrypting(Files.newInputStream(segment), segment.toString())) {
            plain = in.readAllBytes();
        }
        assertThat(Lz4.decompress(plain)).isNotEmpty();
        Files.write(segment, plain);
        Path out = dir.resolve("restored.db");
        try (ReplicaClient client = ReplicaClients.open(replica(replica, age))) {
            assertThatThrownBy(() -> Restorer.configure().from(client).output(out).restore())
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.getMessage()).contains("mixes encrypted and plain files");
                        assertThat(e.subject()).endsWith(replica.relativize(segment).toString());
                    });
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void anAlteredAgeFileFailsTheRestoreNamingIt() throws Exception {
        String[] key = keyPair();
        AgeEncryption age = new AgeEncryption(List.of(key[0]), List.of(key[1]));
        Path replica = dir.resolve("replica");
        replicate(dir.resolve("app.db"), replica(replica, age), 3);
        Path segment = objects(replica).stream().filter(p -> p.toString().endsWith(".wal.lz4")).reduce((a, b) -> b).orElseThrow();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 20] ^= 1; // inside the last chunk's ciphertext
        Files.write(segment, bytes);
        Path out = dir.resolve("restored.db");
        try (ReplicaClient client = ReplicaClients.open(replica(replica, age))) {
            assertThatThrownBy(() -> Restorer.configure().from(client).output(out).restore())
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.getMessage()).contains("damaged or was altered");
                        assertThat(e.subject()).endsWith(replica.relativize(segment).toString());
                    });
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void badKeysAreRefusedWithoutShowingThem() throws Exception {
        String[] key = keyPair();
        String broken = key[1].substring(0, key[1].length() - 1) + (key[1].endsWith("Q") ? "P" : "Q");
        assertThatThrownBy(() -> new AgeEncryption(List.of(), List.of(broken)))
                .isInstanceOf(InvalidSettingException.class).hasMessageNotContaining(broken).hasMessageContaining("entry 1");
        assertThatThrownBy(() -> new AgeEncryption(List.of(key[1]), List.of()))
                .isInstanceOf(InvalidSettingException.class).hasMessageNotContaining(key[1]).hasMessageContaining("age1");
        assertThat(new AgeEncryption(List.of(key[0]), List.of(key[1])).toString()).doesNotContain(key[1]).doesNotContain(key[0]);
    }
}
