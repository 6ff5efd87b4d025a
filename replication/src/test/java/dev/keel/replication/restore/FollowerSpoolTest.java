package dev.keel.replication.restore;

import static dev.keel.replication.restore.FollowerTest.readOnly;
import static dev.keel.replication.restore.FollowerTest.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.KeelException;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction far larger than the follower's memory budget is applied whole through spool files
 * beside the copy, which are gone after the apply, after a failed one, and after a crash.
 */
class FollowerSpoolTest {
    private static final long BUDGET = 64 << 10; // a transaction below is some 300 pages of 4 KiB

    @TempDir
    Path dir;

    @Test
    void aTransactionLargerThanTheBudgetIsAppliedWholeAndItsSpoolFilesAreRemovedOnEveryPath() throws Exception {
        Random random = new Random(5);
        Path out = dir.resolve("follower.db");
        try (KeelHistory primary = new KeelHistory(dir.resolve("primary"));
             ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(primary.replica))) {
            primary.commit(5, random);
            Files.write(Follower.spoolFile(out, "pages"), new byte[100]); // left by a follower killed while spooling
            Files.write(Follower.spoolFile(out, "transaction"), new byte[100]);
            try (Follower follower = Follower.configure().from(client).output(out).memoryBudget(BUDGET).start()) {
                assertThat(spoolFiles(out)).as("removed at start").isEmpty();

                primary.commit(2000, random);
                assertThat(follower.poll()).isInstanceOf(FollowStep.Applied.class);
                assertThat(follower.position()).isEqualTo(primary.latest().position());
                try (Connection reader = readOnly(out)) {
                    assertThat(rows(reader)).isEqualTo(primary.latest().rows());
                }
                assertThat(spoolFiles(out)).as("after an apply").isEmpty();

                List<Path> before = segments(primary.replica);
                primary.commit(2000, random);
                Path segment = largestNewSegment(primary.replica, before);
                byte[] whole = Files.readAllBytes(segment);
                Files.write(segment, java.util.Arrays.copyOf(whole, whole.length * 3 / 4)); // cut short mid-transaction
                assertThatThrownBy(follower::poll).isInstanceOf(KeelException.class);
                assertThat(spoolFiles(out)).as("after a failed apply").isEmpty();
                try (Connection reader = readOnly(out)) {
                    assertThat(rows(reader)).as("the copy keeps its last state").isEqualTo(primary.states()
                            .get(primary.states().size() - 2).rows());
                }

                Files.write(segment, whole);
                follower.poll();
                try (Connection reader = readOnly(out)) {
                    assertThat(rows(reader)).isEqualTo(primary.latest().rows());
                }
                assertThat(spoolFiles(out)).isEmpty();
            }
        }
        assertThat(IntegrityCheck.problems(out)).isEmpty();
    }

    private static List<Path> spoolFiles(Path out) throws Exception {
        try (Stream<Path> files = Files.list(out.getParent())) {
            return files.filter(p -> p.getFileName().toString().contains(".keel-follow-")).toList();
        }
    }

    private static List<Path> segments(Path replica) throws Exception {
        try (Stream<Path> files = Files.walk(replica)) {
            return files.filter(p -> p.toString().endsWith(".wal.lz4")).toList();
        }
    }

    /** The segment holding the big transaction (others the commit made hold a WAL header alone). */
    private static Path largestNewSegment(Path replica, List<Path> before) throws Exception {
        return segments(replica).stream().filter(p -> !before.contains(p))
                .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
}
