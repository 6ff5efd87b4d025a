package dev.keel.fleet.branch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.RestoreTarget;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BranchFromReplicaTest {
    @TempDir
    Path dir;

    @Test
    void branchOfADirectoryReplicaAtATimestampHoldsExactlyTheStateOfThatMoment() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        DatabaseConfig config = DatabaseConfig.of(db,
                List.of(new ReplicaConfig("file", new ReplicaStorage.File(replica), null, null, null, null, null)));
        Instant moment;
        try (Connection app = Db.open(db)) {
            Db.exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            try (Replicator r = Replicator.configure().databases(List.of(config)).backgroundLoops(false).start()) {
                Db.exec(app, "INSERT INTO t (v) VALUES ('before-1'), ('before-2')");
                r.sync();
                Thread.sleep(50);
                moment = Instant.now();
                Thread.sleep(50);
                Db.exec(app, "INSERT INTO t (v) VALUES ('after')", "UPDATE t SET v = 'changed' WHERE id = 1");
                r.sync();
            }
        }
        try (ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(replica))) {
            Branch b = Branches.create(BranchSpec.from(BranchSource.replica(client, RestoreTarget.timestamp(moment)))
                    .to(dir.resolve("branches/then.db")).ttl(Duration.ofHours(2)).build());
            assertThat(Db.strings(b.path(), "SELECT v FROM t ORDER BY id")).containsExactly("before-1", "before-2");
            assertThat(Db.integrity(b.path())).isEqualTo("ok");
            BranchOrigin.Replica origin = (BranchOrigin.Replica) b.origin();
            assertThat(origin.target()).isEqualTo("timestamp " + moment);
            assertThat(Sidecar.read(b.sidecar(), b.path())).isEqualTo(b);
            assertThat(b.source()).isEqualTo(client.describe());

            Branch latest = Branches.create(BranchSpec.from(BranchSource.replica(client, RestoreTarget.latest()))
                    .to(dir.resolve("branches/now.db")).schemaOnly(true).build());
            assertThat(Db.number(latest.path(), "SELECT count(*) FROM t")).isZero();
            assertThat(((BranchOrigin.Replica) latest.origin()).position()).isGreaterThan(origin.position());
            try (var files = Files.list(dir.resolve("branches"))) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("then.db", "then.db.keel-branch", "now.db", "now.db.keel-branch");
            }
        }
    }

    @Test
    void aTimestampBeforeTheReplicaBeganIsNotFound() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Instant early = Instant.now().minusSeconds(3600);
        try (Connection app = Db.open(db)) {
            Db.exec(app, "CREATE TABLE t (x)");
            try (Replicator r = Replicator.configure().databases(List.of(DatabaseConfig.of(db,
                    List.of(new ReplicaConfig("file", new ReplicaStorage.File(replica), null, null, null, null, null)))))
                    .backgroundLoops(false).start()) {
                r.sync();
            }
        }
        try (ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(replica))) {
            Path to = dir.resolve("b.db");
            assertThatThrownBy(() -> Branches.create(BranchSpec.from(BranchSource.replica(client, RestoreTarget.timestamp(early)))
                    .to(to).build()))
                    .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
            assertThat(Files.exists(to)).isFalse();
            assertThat(Files.exists(Branch.sidecarOf(to))).isFalse();
        }
    }
}
