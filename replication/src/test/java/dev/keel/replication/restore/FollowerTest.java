package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower against a real database replicated by Keel: after every acknowledged sync a poll makes
 * the copy equal to the primary, across WAL indexes, snapshots and a new generation; readers open the
 * copy read-only and a reader that stays open sees each new state; the copy stays in rollback-journal
 * mode with integrity_check ok.
 */
class FollowerTest {
    @TempDir
    Path dir;

    @Test
    void aPollAfterEachSyncMakesTheCopyEqualToThePrimaryAcrossIndexesSnapshotsAndGenerations() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path out = dir.resolve("follower.db");
        try (KeelHistory primary = new KeelHistory(dir.resolve("primary"));
             ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(primary.replica))) {
            primary.commit(5, random);
            List<String> events = new ArrayList<>();
            try (Follower follower = Follower.configure().from(client).output(out).listener(new FollowListener() {
                @Override
                public void restored(FollowStep.Restored step) {
                    events.add("restored: " + step.reason());
                }
            }).start();
                 Connection reader = readOnly(out)) {
                assertThat(events).containsExactly("restored: first start");
                assertThat(rows(reader)).as("seed " + seed).isEqualTo(primary.latest().rows());
                for (int i = 0; i < 40; i++) {
                    primary.commit(1 + random.nextInt(30), random);
                    if (i == 15) {
                        primary.snapshot();
                        primary.sync();
                    }
                    FollowStep step = follower.poll();
                    assertThat(step).as("seed " + seed).isInstanceOf(FollowStep.Applied.class);
                    assertThat(follower.position()).as("seed " + seed).isEqualTo(primary.latest().position());
                    // the same connection, open all along: the new change counter made it drop its cache
                    assertThat(rows(reader)).as("seed " + seed + " step " + i).isEqualTo(primary.latest().rows());
                }
                assertThat(follower.poll()).isInstanceOf(FollowStep.UpToDate.class);
                primary.newGeneration();
                primary.commit(3, random);
                FollowStep step = follower.poll();
                assertThat(step).isInstanceOf(FollowStep.Restored.class);
                assertThat(((FollowStep.Restored) step).reason()).startsWith("the replica started generation");
                assertThat(((FollowStep.Restored) step).replaced()).isTrue();
                try (Connection reopened = readOnly(out)) {
                    assertThat(rows(reopened)).isEqualTo(primary.latest().rows());
                }
                primary.commit(3, random);
                assertThat(follower.poll()).isInstanceOf(FollowStep.Applied.class);
                try (Connection reopened = readOnly(out)) {
                    assertThat(rows(reopened)).isEqualTo(primary.latest().rows());
                }
            }
        }
        assertThat(IntegrityCheck.problems(out)).isEmpty();
        byte[] head = Files.readAllBytes(out);
        assertThat(head[18]).as("rollback-journal mode").isEqualTo((byte) 1);
        assertThat(head[19]).isEqualTo((byte) 1);
        assertThat(Files.exists(RollbackJournal.of(out))).isFalse();
    }

    @Test
    void anApplyWaitsForAReaderInsideATransactionSoTheReaderKeepsOneConsistentView() throws Exception {
        Random random = new Random(3);
        Path out = dir.resolve("follower.db");
        try (KeelHistory primary = new KeelHistory(dir.resolve("primary"));
             ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(primary.replica));
             Follower follower = Follower.configure().from(client).output(out).start();
             Connection reader = readOnly(out)) {
            primary.commit(20, random);
            follower.poll();
            List<String> seen = primary.latest().rows();
            reader.setAutoCommit(false);
            assertThat(rows(reader)).isEqualTo(seen); // the read transaction holds SQLite's SHARED lock
            primary.commit(20, random);
            java.util.concurrent.CompletableFuture<FollowStep> poll = java.util.concurrent.CompletableFuture.supplyAsync(follower::poll);
            Thread.sleep(1500);
            assertThat(poll).as("the apply waits for the reader's transaction").isNotDone();
            assertThat(rows(reader)).as("inside its transaction the reader's view does not move").isEqualTo(seen);
            reader.commit();
            assertThat(poll.get(60, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(FollowStep.Applied.class);
            assertThat(rows(reader)).isEqualTo(primary.latest().rows());
            reader.commit();
        }
    }

    @Test
    void aStoppedFollowerResumesWhereItStoppedWithoutRebuildingTheCopy() throws Exception {
        Random random = new Random(7);
        Path out = dir.resolve("follower.db");
        try (KeelHistory primary = new KeelHistory(dir.resolve("primary"));
             ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(primary.replica))) {
            primary.commit(5, random);
            try (Follower follower = Follower.configure().from(client).output(out).start()) {
                primary.commit(5, random);
                follower.poll();
            }
            Object inode = Files.getAttribute(out, "unix:ino");
            for (int i = 0; i < 5; i++) primary.commit(3, random);
            List<String> events = new ArrayList<>();
            try (Follower follower = Follower.configure().from(client).output(out).listener(new FollowListener() {
                @Override
                public void restored(FollowStep.Restored step) {
                    events.add(step.reason());
                }
            }).start()) {
                assertThat(follower.poll()).isInstanceOf(FollowStep.Applied.class);
                assertThat(events).isEmpty();
                assertThat(Files.getAttribute(out, "unix:ino")).isEqualTo(inode);
                try (Connection reader = readOnly(out)) {
                    assertThat(rows(reader)).isEqualTo(primary.latest().rows());
                }
            }
        }
    }

    @Test
    void aDatabaseThatIsNotAFollowersCopyIsRefusedAndLeftAlone() throws Exception {
        Path live = dir.resolve("live.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE x(a)");
        }
        byte[] before = Files.readAllBytes(live);
        try (KeelHistory primary = new KeelHistory(dir.resolve("primary"));
             ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(primary.replica))) {
            assertThatThrownBy(() -> Follower.configure().from(client).output(live).start())
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
                        assertThat(e.getMessage()).contains("not a follower's copy");
                    });
        }
        assertThat(Files.readAllBytes(live)).isEqualTo(before);
    }

    static Connection readOnly(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db.toUri().getRawPath() + "?mode=ro");
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
        }
        return c;
    }

    static List<String> rows(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, v FROM t ORDER BY id")) {
            while (rs.next()) out.add(rs.getLong(1) + ":" + rs.getString(2));
        }
        return out;
    }
}
