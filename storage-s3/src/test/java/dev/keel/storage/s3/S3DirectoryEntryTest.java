package dev.keel.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.DatabaseRestoreOutcome.Status;
import dev.keel.replication.restore.FleetRestore;
import dev.keel.replication.restore.FleetRestoreOptions;
import dev.keel.replication.restore.FleetRestoreReport;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.ReplicatedFleet;
import dev.keel.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A dir entry replicated to a real S3 server: one key prefix per database, the whole fleet restored from the entry alone. */
@Timeout(120)
class S3DirectoryEntryTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-dirs";

    @TempDir
    Path dir;

    private static void createDatabase(Path db, int rows) throws Exception {
        Files.createDirectories(db.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            for (int i = 0; i < rows; i++) s.execute("INSERT INTO t (v) VALUES ('" + db.getFileName() + " " + i + "')");
        }
    }

    private static DirectoryConfig entry(Path root, ReplicaStorage.S3 storage) {
        return DirectoryConfig.of(new DatabaseDirectory(root, "*.db", true), List.of(ReplicaConfig.of(storage)));
    }

    @Test
    void eachDatabaseGetsItsOwnPrefixAndAFreshHostGetsTheFleetBack() throws Exception {
        SERVER.createBucket(BUCKET);
        String prefix = "tenants-" + UUID.randomUUID();
        ReplicaStorage.S3 storage = SERVER.storage(BUCKET, prefix);
        Path source = dir.resolve("source");
        List<String> names = List.of("a.db", "eu/acme.db", "us/west/zeta.db");
        for (int i = 0; i < names.size(); i++) createDatabase(source.resolve(names.get(i)), i + 2);
        try (Replicator r = Replicator.configure().backgroundLoops(false).start()) {
            r.follow(entry(source, storage));
            r.sync();
        }
        try (ReplicaClient client = ReplicaClients.open(storage)) {
            assertThat(client.list("eu/acme.db/generations/")).isNotEmpty();
            assertThat(client.list("us/west/zeta.db/generations/")).isNotEmpty();
        }

        Path fresh = dir.resolve("fresh");
        FleetRestoreReport report = FleetRestore.restoreConfigured(List.of(), List.of(entry(fresh, storage)), null,
                FleetRestoreOptions.defaults().withParallelism(2));
        assertThat(report.count(Status.RESTORED)).as(report.databases().toString()).isEqualTo(names.size());
        for (String name : names) {
            assertThat(ReplicatedFleet.rows(fresh.resolve(name))).as(name).isEqualTo(ReplicatedFleet.rows(source.resolve(name)));
        }
    }
}
