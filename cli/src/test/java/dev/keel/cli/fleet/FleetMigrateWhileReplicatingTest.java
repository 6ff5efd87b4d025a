package dev.keel.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.Replicator;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.ReplicationScenario;
import dev.keel.testing.WriterLoad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet where one database is followed by the real replicator while an application writes to it:
 * {@code keel fleet migrate} migrates it like the others (its shadow directory and WAL files are not
 * databases of the fleet), and its replica restores to the migrated database.
 */
@Timeout(120)
class FleetMigrateWhileReplicatingTest {
    static final String EVENTS = "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, writer INTEGER, seq INTEGER, body BLOB);\n";

    @TempDir
    Path dir;

    @Test
    void aReplicatedDatabaseOfTheFleetIsMigratedNormally() throws Exception {
        Path tenants = Files.createDirectory(dir.resolve("tenants"));
        for (int i = 0; i < 4; i++) FleetCommandTest.tenant(tenants.resolve("t" + i + ".db"), 20);
        Path replicated = tenants.resolve("t9-replicated.db");
        WriterLoad.create(replicated);
        try (Connection c = WriterLoad.open(replicated)) {
            c.createStatement().execute(FleetCommandTest.CURRENT);
            c.createStatement().execute("INSERT INTO items (name, price) VALUES ('a', 1), ('b', 2)");
        }
        Path schema = Files.writeString(dir.resolve("schema.sql"), EVENTS + FleetCommandTest.WANTED);
        Path replica = dir.resolve("replica");
        try (Replicator r = ReplicationScenario.start(ReplicationScenario.database(replicated, new ReplicaStorage.File(replica)),
                c -> ReplicaClients.open(c.storage()));
             WriterLoad writers = WriterLoad.start(replicated, 1, Duration.ofMillis(5), 7)) {
            ReplicationScenario.awaitFirstSnapshot(r, replicated);
            FleetCommandTest.Run run = FleetCommandTest.run("fleet", "migrate", "--dir", tenants.toString(), "--schema", schema.toString(),
                    "--busy-timeout", "20s");
            assertThat(run.status()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("migrated  " + replicated).contains("5 migrated").doesNotContain("ignored");
            writers.close();
            ReplicationScenario.awaitCaughtUp(r, replicated, Duration.ofSeconds(60));
        }
        FleetCommandTest.Run check = FleetCommandTest.run("fleet", "check", "--dir", tenants.toString(), "--schema", schema.toString());
        assertThat(check.status()).as(check.out()).isZero();
        assertThat(FleetCommandTest.price(replicated)).isEqualTo("REAL");
        try (ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(replica))) {
            ReplicationScenario.assertKeelRestoreEquals(client, replicated, dir.resolve("restored.db"));
        }
    }
}
