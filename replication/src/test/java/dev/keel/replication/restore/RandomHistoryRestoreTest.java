package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.TestRestore;
import dev.keel.replication.api.Generation;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random histories of writes, snapshots, WAL restarts (Keel's own, and SQLite's after a PASSIVE
 * checkpoint), VACUUMs that shrink the file, and several segments per index, with page sizes from 512
 * to 65536. A restore to any recorded moment must equal the source as it was then, whatever the page
 * buffer's memory budget; the latest restore must be byte for byte the checkpointed source and what the
 * test-only restore builds. Seeded: the seed is printed on failure.
 */
class RandomHistoryRestoreTest {
    private static final int[] PAGE_SIZES = {512, 4096, 65536, 1024, 8192};

    @TempDir
    Path dir;

    @Test
    void restoreToAnyMomentEqualsTheSourceThen() throws Exception {
        long base = Long.getLong("keel.seed", System.nanoTime());
        for (int round = 0; round < 5; round++) {
            long seed = base + round;
            try {
                runHistory(new Random(seed), dir.resolve("round-" + round), PAGE_SIZES[round % PAGE_SIZES.length]);
            } catch (AssertionError | Exception e) {
                throw new AssertionError("failed with -Dkeel.seed=" + base + " (round " + round + ", seed " + seed + "): "
                        + e.getMessage(), e);
            }
        }
    }

    private void runHistory(Random random, Path root, int pageSize) throws Exception {
        Files.createDirectories(root);
        List<Instant> times = new ArrayList<>();
        List<List<String>> states = new ArrayList<>();
        try (TestReplica r = new TestReplica(root, Generation.random(), pageSize)) {
            int steps = 12 + random.nextInt(12);
            int rowBytes = Math.max(50, pageSize / 8); // rows grow with the page size, so the file does too
            for (int i = 0; i < steps; i++) {
                times.add(r.tick());
                switch (random.nextInt(9)) {
                    case 0 -> r.snapshot();
                    case 1 -> r.restartWal();
                    case 2 -> r.exec("DELETE FROM t WHERE id % " + (2 + random.nextInt(4)) + " = 0");
                    case 3 -> r.exec("UPDATE t SET v = hex(randomblob(" + random.nextInt(rowBytes) + ")) WHERE id % 5 = "
                            + random.nextInt(5));
                    case 4 -> {
                        if (random.nextBoolean()) r.execOutsideTransaction("VACUUM");
                        else r.insert(1 + random.nextInt(5), 10);
                    }
                    case 5 -> {
                        // Delete most rows, then VACUUM: the file shrinks, and later writes grow it again.
                        r.exec("DELETE FROM t WHERE id % 4 <> 0");
                        r.execOutsideTransaction("VACUUM");
                    }
                    case 6 -> r.checkpointPassive();
                    default -> r.insert(1 + random.nextInt(60), random.nextInt(rowBytes));
                }
                states.add(r.rows());
            }
            FileReplicaClient client = new FileReplicaClient(r.root);
            for (int probe = 0; probe < 4; probe++) {
                int i = random.nextInt(times.size());
                RestoreOptions options = RestoreOptions.to(root.resolve("restore-" + probe + ".db"))
                        .withTarget(RestoreTarget.timestamp(times.get(i))).withParallelism(1 + random.nextInt(4));
                Path out = Restorer.restore(client, options).output();
                assertThat(TestReplica.rows(out)).as("state after step %d", i).isEqualTo(states.get(i));
                Path small = restoreWithBudget(client, options.withTarget(options.target()), root.resolve("small-" + probe + ".db"),
                        pageSize, random);
                assertThat(Arrays.equals(Files.readAllBytes(small), Files.readAllBytes(out)))
                        .as("restore to step %d with a small page buffer equals the default one", i).isTrue();
            }
            r.restartWal(); // checkpoints the source: its file is now what a restore must build
            byte[] source = Files.readAllBytes(r.db);
            int headerPageSize = ((source[16] & 0xff) << 8) | (source[17] & 0xff);
            assertThat(headerPageSize == 1 ? 65536 : headerPageSize).as("the source's page size").isEqualTo(pageSize);
            Path latest = Restorer.restore(client, RestoreOptions.to(root.resolve("latest.db"))).output();
            assertThat(TestReplica.rows(latest)).isEqualTo(states.get(states.size() - 1));
            assertThat(Arrays.equals(Files.readAllBytes(latest), source)).as("latest restore equals the checkpointed source").isTrue();
            Path small = restoreWithBudget(client, RestoreOptions.to(root.resolve("x.db")), root.resolve("latest-small.db"),
                    pageSize, random);
            assertThat(Arrays.equals(Files.readAllBytes(small), source)).as("latest restore with a small page buffer").isTrue();
            Path reference = TestRestore.restore(r.root, root.resolve("reference.db"));
            assertThat(Arrays.equals(Files.readAllBytes(reference), source)).as("test-only restore equals the checkpointed source").isTrue();
        }
    }

    /** The production restore with a page buffer of a few pages, so it flushes inside WAL indexes. */
    private static Path restoreWithBudget(FileReplicaClient client, RestoreOptions options, Path out, int pageSize, Random random) {
        RestoreOptions to = new RestoreOptions(out, options.generation(), options.target(), options.parallelism(), true, null, false);
        RestorePlan plan = RestorePlanner.plan(ReplicaCatalog.load(client), to).orElseThrow();
        Restorer.restore(client, plan, to, (long) pageSize * (1 + random.nextInt(16)));
        return out;
    }
}
