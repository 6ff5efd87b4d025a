package dev.keel.cli.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.FollowStep;
import dev.keel.replication.restore.Follower;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.S3TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower of an S3 replica (s3proxy on loopback) through the library API: it follows, survives the
 * server going down (polls fail with STORAGE_UNAVAILABLE while the copy keeps serving its last state)
 * and catches up once the server is back.
 */
@Timeout(180)
class FollowS3Test {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();

    @TempDir
    Path dir;

    @Test
    void followsAnS3ReplicaAndCatchesUpAfterAnOutage() throws Exception {
        String bucket = SERVER.createBucket("follow");
        ReplicaStorage storage = SERVER.storage(bucket, "app");
        Path db = dir.resolve("app.db");
        Path copy = dir.resolve("copy.db");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            DatabaseConfig config = DatabaseConfig.of(db, List.of(ReplicaConfig.of(storage)));
            try (Replicator primary = Replicator.configure().databases(List.of(config)).backgroundLoops(false).start();
                 ReplicaClient client = ReplicaClients.open(storage)) {
                insert(s, 10);
                primary.sync();
                try (Follower follower = Follower.configure().from(client).output(copy).start();
                     Connection reader = FollowCommandTest.readOnly(copy)) {
                    assertThat(count(reader)).isEqualTo(10);
                    insert(s, 10);
                    primary.sync();
                    assertThat(follower.poll()).isInstanceOf(FollowStep.Applied.class);
                    assertThat(count(reader)).isEqualTo(20);

                    SERVER.stop();
                    try {
                        assertThatThrownBy(follower::poll).isInstanceOfSatisfying(KeelException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE));
                        assertThat(count(reader)).as("the copy keeps serving its last state").isEqualTo(20);
                        insert(s, 10); // committed while the storage is down: kept in the shadow WAL
                    } finally {
                        SERVER.start();
                    }
                    primary.sync();
                    assertThat(follower.poll()).isInstanceOf(FollowStep.Applied.class);
                    assertThat(count(reader)).isEqualTo(30);
                    assertThat(follower.position()).isEqualTo(primary.replicaPosition(db, "s3"));
                }
            }
        }
    }

    private static void insert(Statement s, int rows) throws Exception {
        s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM n WHERE x<" + rows + ")"
                + " INSERT INTO t(v) SELECT hex(randomblob(100)) FROM n");
    }

    private static long count(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            return rs.getLong(1);
        }
    }
}
