package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.Generation;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random histories of writes, snapshots, WAL restarts and VACUUMs; a restore to any recorded moment
 * must equal the source as it was then. Seeded: the seed is printed on failure.
 */
class RandomHistoryRestoreTest {
    @TempDir
    Path dir;

    @Test
    void restoreToAnyMomentEqualsTheSourceThen() throws Exception {
        long base = Long.getLong("keel.seed", System.nanoTime());
        for (int round = 0; round < 4; round++) {
            long seed = base + round;
            try {
                runHistory(new Random(seed), dir.resolve("round-" + round));
            } catch (AssertionError | Exception e) {
                throw new AssertionError("failed with -Dkeel.seed=" + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private void runHistory(Random random, Path root) throws Exception {
        Files.createDirectories(root);
        List<Instant> times = new ArrayList<>();
        List<List<String>> states = new ArrayList<>();
        try (TestReplica r = new TestReplica(root, Generation.random())) {
            int steps = 12 + random.nextInt(12);
            for (int i = 0; i < steps; i++) {
                times.add(r.tick());
                switch (random.nextInt(7)) {
                    case 0 -> r.snapshot();
                    case 1 -> r.restartWal();
                    case 2 -> r.exec("DELETE FROM t WHERE id % " + (2 + random.nextInt(4)) + " = 0");
                    case 3 -> r.exec("UPDATE t SET v = hex(randomblob(" + random.nextInt(3000) + ")) WHERE id % 5 = "
                            + random.nextInt(5));
                    case 4 -> {
                        if (random.nextBoolean()) r.execOutsideTransaction("VACUUM");
                        else r.insert(1 + random.nextInt(5), 10);
                    }
                    default -> r.insert(1 + random.nextInt(60), random.nextInt(2500));
                }
                states.add(r.rows());
            }
            FileReplicaClient client = new FileReplicaClient(r.root);
            for (int probe = 0; probe < 4; probe++) {
                int i = random.nextInt(times.size());
                Path out = root.resolve("restore-" + probe + ".db");
                Restorer.restore(client, RestoreOptions.to(out).withTarget(RestoreTarget.timestamp(times.get(i)))
                        .withParallelism(1 + random.nextInt(4)));
                assertThat(TestReplica.rows(out)).as("state after step %d", i).isEqualTo(states.get(i));
            }
            Path latest = root.resolve("latest.db");
            Restorer.restore(client, RestoreOptions.to(latest));
            assertThat(TestReplica.rows(latest)).isEqualTo(states.get(states.size() - 1));
        }
    }
}
