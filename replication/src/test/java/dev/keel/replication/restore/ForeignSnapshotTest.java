package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot replaced by another database's: the WAL replayed over it does not fit its pages, and the
 * failure names the snapshot's replica path and what did not match, not just "integrity_check".
 */
class ForeignSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void aSnapshotOfAnotherDatabaseFailsNamingTheSnapshot() throws Exception {
        Path other = Files.createDirectories(dir.resolve("b")).resolve("app.db");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + other);
             java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE other(id INTEGER PRIMARY KEY, body TEXT)");
            s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 300) "
                    + "INSERT INTO other(body) SELECT hex(randomblob(200)) FROM n");
        }
        try (KeelHistory a = new KeelHistory(dir.resolve("a")); KeelHistory b = new KeelHistory(dir.resolve("b"))) {
            Random random = new Random(5);
            for (int i = 0; i < 4; i++) {
                a.commit(40, random);
                b.commit(10, random);
            }
            a.snapshot();
            a.commit(3, random);
            FileReplicaClient client = new FileReplicaClient(a.replica);
            var snapshots = ReplicaCatalog.load(client).snapshots();
            SnapshotInfo ours = snapshots.get(snapshots.size() - 1);
            SnapshotInfo theirs = ReplicaCatalog.load(new FileReplicaClient(b.replica)).snapshots().get(0);
            // A copy that keeps the file time: only the content differs.
            Files.copy(b.replica.resolve(theirs.key()), a.replica.resolve(ours.key()),
                    StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            Files.setLastModifiedTime(a.replica.resolve(ours.key()), java.nio.file.attribute.FileTime.from(ours.createdAt()));

            Path out = dir.resolve("out.db");
            assertThatThrownBy(() -> Restorer.restore(client, RestoreOptions.to(out)))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.subject()).isEqualTo(client.describe() + "/" + ours.key());
                        assertThat(e.getMessage()).contains("integrity_check");
                        assertThat(e.hint()).contains("another database");
                    });
            assertThat(out).doesNotExist();
        }
    }
}
