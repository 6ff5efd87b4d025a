package dev.keel.cli.schema;

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
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication and migrations on the same database: while the real replicator follows it to a
 * directory replica and an application writes, {@code keel check} sees no drift in the replicator's
 * own tables and {@code keel migrate} rebuilds a table; the restored replica then equals the live
 * database in rows and schema and passes integrity_check.
 */
@Timeout(120)
class MigrateWhileReplicatingTest {
    static final String EVENTS = "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, writer INTEGER, seq INTEGER, body BLOB);\n";

    @TempDir
    Path dir;

    @Test
    void migrationWithARebuildWhileReplicatingRestoresToTheLiveDatabase() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        WriterLoad.create(db);
        try (Connection c = WriterLoad.open(db)) {
            c.createStatement().execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price INTEGER)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (name, price) VALUES (?, ?)")) {
                for (int i = 0; i < 500; i++) {
                    ps.setString(1, "item " + i);
                    ps.setInt(2, i * 7);
                    ps.executeUpdate();
                }
            }
        }
        Path before = Files.writeString(dir.resolve("before.sql"), EVENTS + "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price INTEGER);\n");
        Path after = Files.writeString(dir.resolve("after.sql"), EVENTS
                + "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, tags TEXT DEFAULT (json_array()));\n"
                + "CREATE INDEX items_name ON items(name);\n");

        try (Replicator r = ReplicationScenario.start(ReplicationScenario.database(db, new ReplicaStorage.File(replica)),
                c -> ReplicaClients.open(c.storage()));
             WriterLoad writers = WriterLoad.start(db, 2, Duration.ofMillis(2), 11)) {
            ReplicationScenario.awaitFirstSnapshot(r, db);
            assertThat(names(db)).contains("_keel_seq", "_keel_lock");

            SchemaCommandsTest.Run unchanged = SchemaCommandsTest.run("check", "--db", db.toString(), "--schema", before.toString());
            assertThat(unchanged.status()).as("replication's tables are no drift: " + unchanged.out() + unchanged.err()).isZero();
            SchemaCommandsTest.Run drift = SchemaCommandsTest.run("check", "--db", db.toString(), "--schema", after.toString());
            assertThat(drift.status()).as(drift.out() + drift.err()).isEqualTo(2);
            assertThat(drift.out()).contains("items").doesNotContain("_keel_");

            SchemaCommandsTest.Run migrated = SchemaCommandsTest.run("migrate", "--db", db.toString(), "--schema", after.toString(),
                    "--busy-timeout", "20s");
            assertThat(migrated.status()).as(migrated.out() + migrated.err()).isZero();
            assertThat(migrated.out()).contains("table items is rebuilt");
            SchemaCommandsTest.Run again = SchemaCommandsTest.run("migrate", "--db", db.toString(), "--schema", after.toString(),
                    "--busy-timeout", "20s");
            assertThat(again.out()).as(again.err()).contains("nothing to do");

            Thread.sleep(500); // the application keeps writing after the migration
            writers.close();
            assertThat(writers.commits()).isGreaterThan(20);
            ReplicationScenario.awaitCaughtUp(r, db, Duration.ofSeconds(60));
        }
        assertThat(names(db)).as("replication's tables were left alone").contains("_keel_seq", "_keel_lock");
        assertThat(SchemaCommandsTest.run("check", "--db", db.toString(), "--schema", after.toString()).status()).isZero();

        Path restored = dir.resolve("restored.db");
        try (ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(replica))) {
            ReplicationScenario.assertKeelRestoreEquals(client, db, restored); // integrity_check and every event row
        }
        String schema = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name";
        assertThat(query(restored, schema)).isEqualTo(query(db, schema));
        String items = "SELECT id, name, price, typeof(price), tags FROM items ORDER BY id";
        assertThat(query(restored, items)).isEqualTo(query(db, items)).hasSize(500);
        assertThat(query(restored, "SELECT typeof(price), tags FROM items WHERE id = 2")).containsExactly("real|[]");
    }

    private static java.util.List<String> names(Path db) throws Exception {
        return query(db, "SELECT name FROM sqlite_schema WHERE type = 'table'");
    }

    private static java.util.List<String> query(Path db, String sql) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (Connection c = WriterLoad.open(db); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) row.append(i > 1 ? "|" : "").append(rs.getString(i));
                out.add(row.toString());
            }
        }
        return out;
    }
}
