package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pages beyond the memory budget go to the spool file and come back byte for byte; clearing deletes the file. */
class PageSpoolTest {
    @TempDir
    Path dir;

    @Test
    void holdsAtMostItsBudgetInMemoryAndReturnsTheNewestImageOfEveryPage() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int pageSize = 4096;
        Path file = dir.resolve("spool");
        Map<Long, byte[]> expected = new HashMap<>();
        try (PageSpool spool = new PageSpool(pageSize, 8L * pageSize, file)) {
            for (int i = 0; i < 2000; i++) {
                long p = 1 + random.nextInt(300);
                byte[] page = new byte[pageSize];
                random.nextBytes(page);
                spool.put(p, page);
                expected.put(p, page);
                assertThat(spool.bytesInMemory()).as("seed " + seed).isLessThanOrEqualTo(8L * pageSize);
            }
            assertThat(spool.spooled()).isTrue();
            assertThat(Files.exists(file)).isTrue();
            spool.removeAbove(250);
            expected.keySet().removeIf(p -> p > 250);
            assertThat(spool.bytes()).isEqualTo((long) expected.size() * pageSize);
            long previous = 0;
            for (long p : spool.pageNumbers()) {
                assertThat(p).isGreaterThan(previous);
                previous = p;
                assertThat(spool.get(p)).as("seed " + seed + " page " + p).isEqualTo(expected.get(p));
            }
            assertThat(spool.get(251)).isNull();
            spool.clear();
            assertThat(Files.exists(file)).as("cleared").isFalse();
            assertThat(spool.isEmpty()).isTrue();
            spool.put(1, new byte[pageSize]);
            assertThat(spool.spooled()).as("within the budget again").isFalse();
        }
    }
}
