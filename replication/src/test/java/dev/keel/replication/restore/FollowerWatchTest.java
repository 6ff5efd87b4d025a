package dev.keel.replication.restore;

import static dev.keel.replication.restore.FollowerTest.readOnly;
import static dev.keel.replication.restore.FollowerTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running follower of a directory replica is woken by the replica's changes: with a poll interval
 * far longer than the test, new WAL and a new generation still reach the copy, so only the watch can
 * have brought them.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FollowerWatchTest {
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void newWalAndANewGenerationReachTheCopyLongBeforeThePollInterval() throws Exception {
        Random random = new Random(11);
        Path out = dir.resolve("follower.db");
        List<String> restored = new CopyOnWriteArrayList<>();
        try (KeelHistory primary = new KeelHistory(dir.resolve("primary"));
             ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(primary.replica))) {
            primary.commit(5, random);
            Follower follower = Follower.configure().from(client).output(out).pollInterval(NEVER).listener(new FollowListener() {
                @Override
                public void restored(FollowStep.Restored step) {
                    restored.add(step.reason());
                }
            }).start();
            Thread running = new Thread(follower::run, "follower");
            running.start();
            try {
                Thread.sleep(500); // the first poll ran, the follower waits for its long interval
                for (int i = 0; i < 3; i++) {
                    primary.commit(1 + random.nextInt(10), random);
                    awaitRows(out, primary.latest().rows());
                }
                primary.newGeneration();
                primary.commit(3, random);
                awaitRows(out, primary.latest().rows());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (restored.size() < 2 && System.nanoTime() < deadline) Thread.sleep(10); // reported after the rename
                assertThat(restored).hasSize(2).last().asString().startsWith("the replica started generation");
                primary.commit(3, random);
                awaitRows(out, primary.latest().rows());
            } finally {
                follower.close();
                running.join();
            }
        }
        assertThat(IntegrityCheck.problems(out)).isEmpty();
    }

    /** Waits (a minute at most, far below the poll interval) until a reader of the copy sees {@code expected}. */
    private static void awaitRows(Path copy, List<String> expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            try (Connection reader = readOnly(copy)) {
                seen = rows(reader);
            }
            if (seen.equals(expected)) return;
            Thread.sleep(20);
        }
        assertThat(seen).as("rows of the copy a minute after the replica had them").isEqualTo(expected);
    }
}
