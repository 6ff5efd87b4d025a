package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An apply interrupted after the copy's pages were overwritten (the follower killed before its
 * commit): the journal left beside the copy is one SQLite recognises as hot. A read-only reader
 * refuses to read instead of seeing the torn pages, and the next writable open (the follower
 * restarting) rolls the copy back to the state before the apply, whether the batch grew or shrank it.
 */
class FollowerCopyTest {
    @TempDir
    Path dir;

    @Test
    void anApplyInterruptedAfterItsPagesWereWrittenIsRolledBackBySqliteWhenGrowing() throws Exception {
        interruptedApplyIsRolledBack(false);
    }

    @Test
    void anApplyInterruptedAfterItsPagesWereWrittenIsRolledBackBySqliteWhenShrinking() throws Exception {
        interruptedApplyIsRolledBack(true);
    }

    private void interruptedApplyIsRolledBack(boolean shrink) throws Exception {
        Path out = dir.resolve("copy.db");
        List<String> rows;
        try (KeelHistory primary = new KeelHistory(dir.resolve("primary"));
             ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(primary.replica))) {
            primary.commit(200, new Random(1));
            Follower.configure().from(client).output(out).start().close();
            rows = primary.latest().rows();
        }
        byte[] before = Files.readAllBytes(out);
        try (FollowerCopy copy = FollowerCopy.open(out, () -> false)) {
            int pageSize = copy.pageSize();
            long pages = before.length / pageSize;
            assertThat(pages).isGreaterThan(10);
            PageBatch batch = new PageBatch(pageSize, 3L * pageSize, dir.resolve("spool")); // most pages spooled
            Random random = new Random(2);
            if (shrink) {
                batch.committed(2);
                batch.put(3, garbage(random, pageSize));
                batch.committed(3);
            } else {
                for (long p = 2; p <= pages + 5; p++) batch.put(p, garbage(random, pageSize));
                batch.committed(pages + 5);
            }
            assertThatThrownBy(() -> copy.apply(batch, counter -> {
                throw new IOException("killed before the commit");
            }, () -> false)).hasMessageContaining("killed before the commit");
        }
        assertThat(Files.readAllBytes(out)).as("the copy holds the torn apply").isNotEqualTo(before);
        assertThat(Files.exists(RollbackJournal.of(out))).isTrue();
        try (Connection reader = FollowerTest.readOnly(out)) {
            assertThatThrownBy(() -> FollowerTest.rows(reader)).as("a read-only reader never reads a torn copy")
                    .hasMessageContaining("READONLY");
        }
        try (FollowerCopy reopened = FollowerCopy.open(out, () -> false)) {
            assertThat(Files.exists(RollbackJournal.of(out))).isFalse();
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(before);
        try (Connection reader = FollowerTest.readOnly(out)) {
            assertThat(FollowerTest.rows(reader)).isEqualTo(rows);
        }
        assertThat(IntegrityCheck.problems(out)).isEmpty();
    }

    private static byte[] garbage(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }
}
