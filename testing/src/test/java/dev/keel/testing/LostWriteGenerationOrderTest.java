package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A storage that lost an acknowledged object gets a new generation at once, so the old generation's
 * last upload and the new one's first objects often fall in one second; storages with one-second
 * timestamps (S3, Azure) then cannot order them by time, and the name order is arbitrary. The WAL's
 * content says which went on after the other: the restore of the latest state takes that one.
 */
class LostWriteGenerationOrderTest {
    @TempDir
    Path dir;

    @Test
    void theLatestIsTheGenerationWhoseWalWentOnWhenBothFallInOneSecond() throws Exception {
        Path db = dir.resolve("app.db");
        Path root = dir.resolve("replica");
        var storage = new ReplicaStorage.File(root);
        var lost = ReplicationScenario.replicateThroughLostWrite(db, storage, c -> ReplicaClients.open(c.storage()));
        assertThat(lost.after().generation()).isNotEqualTo(lost.before().generation());

        // the worst case: the old generation sorts after the new one by name, every time in one second
        Path generations = root.resolve(ReplicaLayout.GENERATIONS);
        Files.move(generations.resolve(lost.before().generation().id()), generations.resolve("ffffffffffffffff"));
        Files.move(generations.resolve(lost.after().generation().id()), generations.resolve("0000000000000000"));
        FileTime second = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.setLastModifiedTime(f, second);
        }

        try (ReplicaClient client = ReplicaClients.open(storage)) {
            Path out = dir.resolve("restored.db");
            var result = Restorer.configure().from(client).output(out).restore();
            assertThat(result.generation().id()).isEqualTo("0000000000000000");
            ReplicationScenario.assertRestoredEquals(db, out);
        }
    }
}
