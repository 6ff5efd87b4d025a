package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page buffer of a restore against a plain model (every write applied at once, every index end
 * cutting or extending the file), with memory budgets small enough to flush in the middle of an index.
 */
class DatabaseImageTest {
    private static final int PAGE = 512;

    @TempDir
    Path dir;

    @Test
    void aFlushInsideAnIndexKeepsThePagesThatGrowTheFile() throws Exception {
        Path path = dir.resolve("db");
        Files.write(path, pages(4, 1));
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            DatabaseImage image = new DatabaseImage(OutputFile.of(file, path), PAGE, 2 * PAGE, () -> { });
            image.put(1, page(11));
            image.setPageCount(4); // end of the first index
            image.put(5, page(5)); // the second index grows the database...
            image.put(6, page(6)); // ...and the budget is reached here
            image.put(7, page(7));
            image.setPageCount(7);
            image.flush();
        }
        byte[] bytes = Files.readAllBytes(path);
        assertThat(bytes.length).isEqualTo(7 * PAGE);
        for (int p = 5; p <= 7; p++) {
            assertThat(Arrays.equals(bytes, (p - 1) * PAGE, p * PAGE, page(p), 0, PAGE)).as("page %d restored", p).isTrue();
        }
    }

    @Test
    void randomWritesAndSizeChangesMatchAPlainModel() throws Exception {
        long base = Long.getLong("keel.seed", System.nanoTime());
        for (int round = 0; round < 200; round++) {
            long seed = base + round;
            try {
                compareWithModel(new Random(seed), dir.resolve("db-" + round));
            } catch (AssertionError | Exception e) {
                throw new AssertionError("failed with -Dkeel.seed=" + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private void compareWithModel(Random random, Path path) throws Exception {
        int initial = 1 + random.nextInt(20);
        Files.write(path, pages(initial, 1000));
        Map<Integer, byte[]> model = new HashMap<>();
        for (int p = 1; p <= initial; p++) model.put(p, page(1000 + p));
        int size = initial;
        long budget = (1 + random.nextInt(8)) * (long) PAGE;
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            DatabaseImage image = new DatabaseImage(OutputFile.of(file, path), PAGE, budget, () -> { });
            int indexes = 1 + random.nextInt(6);
            for (int index = 0; index < indexes; index++) {
                // Within an index the size of its last commit is what counts, as in SQLite's checkpoint;
                // pages beyond it are dropped. Every page up to the new size is written (SQLite writes
                // every page it adds), unless the size shrinks.
                int newSize = Math.max(1, size + random.nextInt(20) - 10);
                int writes = random.nextInt(30);
                Map<Integer, byte[]> indexPages = new HashMap<>();
                for (int w = 0; w < writes; w++) {
                    int p = 1 + random.nextInt(Math.max(size, newSize) + 3);
                    byte[] content = page(random.nextInt());
                    image.put(p, content);
                    indexPages.put(p, content);
                }
                for (int p = size + 1; p <= newSize; p++) {
                    if (!indexPages.containsKey(p)) {
                        byte[] content = page(random.nextInt());
                        image.put(p, content);
                        indexPages.put(p, content);
                    }
                }
                image.setPageCount(newSize);
                indexPages.forEach(model::put);
                int cut = newSize;
                model.keySet().removeIf(p -> p > cut);
                size = newSize;
            }
            image.flush();
        }
        byte[] bytes = Files.readAllBytes(path);
        assertThat(bytes.length).isEqualTo(size * PAGE);
        for (int p = 1; p <= size; p++) {
            byte[] expected = model.getOrDefault(p, new byte[PAGE]);
            assertThat(Arrays.equals(bytes, (p - 1) * PAGE, p * PAGE, expected, 0, PAGE)).as("page %d of %d", p, size).isTrue();
        }
    }

    private static byte[] pages(int count, int seed) {
        ByteBuffer all = ByteBuffer.allocate(count * PAGE);
        for (int p = 1; p <= count; p++) all.put(page(seed + p));
        return all.array();
    }

    private static byte[] page(int seed) {
        byte[] b = new byte[PAGE];
        new Random(seed).nextBytes(b);
        return b;
    }
}
