package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import dev.keel.replication.Replicator;
import dev.keel.replication.TestDatabases;
import dev.keel.replication.api.AgeEncryption;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.cipher.AgeCipher;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where an encrypted replica stands is read through its identities, like any other replica's; one given
 * only recipients (its secret key kept elsewhere) cannot read its last segment, so it has no position
 * and starts over with a snapshot instead of failing at every sync.
 */
class ReplicaPositionAgeTest {
    @TempDir
    Path dir;

    @Test
    void anEncryptedReplicasPositionIsReadThroughItsIdentitiesOrStartsOverWithoutThem() throws Exception {
        KeyPair key = new X25519KeyPairGenerator().generateKeyPair();
        AgeEncryption both = new AgeEncryption(List.of(key.getPublic().toString()), List.of(key.getPrivate().toString()));
        Path db = dir.resolve("app.db");
        ReplicaConfig replica = new ReplicaConfig("local", new ReplicaStorage.File(dir.resolve("replica")), Duration.ofMillis(50),
                null, null, null, null, both, null);
        Position head;
        try (Connection app = TestDatabases.open(db);
             Replicator r = Replicator.configure().databases(List.of(DatabaseConfig.of(db, List.of(replica))))
                     .backgroundLoops(false).start()) {
            TestDatabases.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            r.sync();
            TestDatabases.exec(app, "INSERT INTO t (v) VALUES ('a'), ('b')");
            r.sync();
            head = r.replicaPosition(db, "local");
        }
        Generation generation = head.generation();
        try (ReplicaClient reading = ReplicaClients.open(replica)) {
            ReplicaCatalog catalog = ReplicaCatalog.read(reading, generation);
            assertThat(ReplicaPosition.of(catalog, reading, generation, AgeCipher.of(both))).contains(head);
        }
        AgeEncryption recipientsOnly = new AgeEncryption(both.recipients(), List.of());
        try (ReplicaClient writeOnly = ReplicaClients.open(replica.withAge(recipientsOnly))) {
            ReplicaCatalog catalog = ReplicaCatalog.read(writeOnly, generation);
            assertThat(ReplicaPosition.of(catalog, writeOnly, generation, AgeCipher.of(recipientsOnly))).isEqualTo(Optional.empty());
        }
    }
}
