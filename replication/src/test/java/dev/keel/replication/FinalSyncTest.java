package dev.keel.replication;

import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The final sync of {@link Replicator#close()}: when a replica cannot be written it throws
 * STORAGE_UNAVAILABLE naming, per replica, what was not uploaded (the WAL range, or the whole generation
 * when its snapshot never got there); when everything got there it returns normally.
 */
class FinalSyncTest {
    @TempDir
    Path dir;

    private Replicator start(Path db, Path replica, OfflineClient[] client) {
        DatabaseConfig config = DatabaseConfig.of(db, List.of(new ReplicaConfig("backup", new ReplicaStorage.File(replica),
                null, null, null, null, null)));
        return EngineOptions.DEFAULT.withClients(rc -> client[0] = new OfflineClient(new FileReplicaClient(replica)))
                .start(Replicator.configure().databases(List.of(config)).backgroundLoops(false));
    }

    private static void insert(Connection app, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) exec(app, "INSERT INTO t (id, v) VALUES (" + i + ", randomblob(300))");
    }

    @Test
    void walThatCouldNotBeUploadedIsNamedWithItsPositionsAndTheErrorIsStorageUnavailable() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        OfflineClient[] client = new OfflineClient[1];
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            Replicator r = start(db, replica, client);
            insert(app, 0, 10);
            r.sync();
            Position uploaded = r.replicaPosition(db, "backup");
            client[0].offline(true);
            insert(app, 10, 10);
            assertThatThrownBy(r::close).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.subject()).isEqualTo(db.toString());
                assertThat(e.getMessage()).startsWith("final sync failed, not uploaded: replica backup (")
                        .contains("lacks WAL from " + uploaded + " to ").contains(" bytes)").contains("connection refused");
                assertThat(e.hint()).contains("shadow WAL");
            });
        }
    }

    @Test
    void aGenerationWhoseSnapshotNeverGotThereIsNamedWhole() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        OfflineClient[] client = new OfflineClient[1];
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            Replicator r = start(db, replica, client);
            client[0].writesFail(true); // down after the listing, before the first snapshot was uploaded
            insert(app, 0, 10);
            assertThatThrownBy(r::sync).hasMessageContaining("unreachable");
            assertThatThrownBy(r::close).isInstanceOfSatisfying(KeelException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.getMessage()).containsPattern("lacks all of generation [0-9a-f]{16}: its snapshot \\(prepared at index "
                        + "[0-9a-f]{8}\\) and its WAL up to [0-9a-f]{16}/");
            });
        }
    }

    @Test
    void aFinalSyncThatUploadedEverythingReturnsNormally() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        OfflineClient[] client = new OfflineClient[1];
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            Replicator r = start(db, replica, client);
            client[0].offline(true);
            insert(app, 0, 10);
            assertThatThrownBy(r::sync).hasMessageContaining("unreachable");
            client[0].offline(false); // back before the stop: the final sync uploads the rest
            insert(app, 10, 10);
            r.close();
        }
        Path out = dir.resolve("restored.db");
        Restorer.configure().from(new FileReplicaClient(replica)).output(out).restore();
        try (Connection c = TestDatabases.open(out); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
            assertThat(rs.getLong(1)).isEqualTo(20);
        }
    }
}
