package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Latest" must never quietly mean "the newest generation that still works": when the newest
 * generation is unusable, hidden (renamed, replaced by a link) or cannot be told apart from an older
 * one by its file times, the restore fails naming it, and an older generation is restored only when
 * asked for with {@code -generation}. Replicas are written by Keel's Replicator: generation A, then
 * generation B after the replicator lost its local state.
 */
class NewestGenerationTest {
    @TempDir
    Path dir;

    private KeelHistory history;
    private Generation older;
    private Generation newer;
    private List<String> olderRows;
    private FileReplicaClient client;

    @BeforeEach
    void twoGenerations() throws Exception {
        Random random = new Random(11);
        history = new KeelHistory(dir.resolve("src"));
        for (int i = 0; i < 3; i++) history.commit(20, random);
        olderRows = history.latest().rows();
        Thread.sleep(20); // distinct file times for the two generations
        history.newGeneration();
        for (int i = 0; i < 3; i++) history.commit(20, random);
        history.close();
        client = new FileReplicaClient(history.replica);
        List<GenerationInfo> infos = ReplicaCatalog.load(client).generationInfos().stream()
                .sorted(Comparator.comparing(GenerationInfo::createdAt)).toList();
        assertThat(infos).hasSize(2);
        older = infos.get(0).generation();
        newer = infos.get(1).generation();
        assertThat(restoreLatest()).isEqualTo(history.latest().rows());
    }

    @Test
    void aNewestGenerationWithoutSnapshotIsRefusedNamingItAndListedWithItsTimes() throws Exception {
        deleteTree(history.replica.resolve(ReplicaLayout.snapshotsPrefix(newer)));

        KeelException e = refusal();
        assertThat(e.subject()).endsWith(ReplicaLayout.snapshotsPrefix(newer));
        assertThat(e.getMessage()).contains(newer.id()).contains("no snapshot");
        assertThat(e.hint()).contains("-generation " + older.id());
        GenerationInfo listed = ReplicaCatalog.load(client).info(newer);
        assertThat(listed.createdAt()).isNotNull();
        assertThat(listed.updatedAt()).isAfterOrEqualTo(listed.createdAt());
        assertThat(listed.restorable()).isFalse();

        // Asked for explicitly, the older generation's data is restored.
        Path out = dir.resolve("older.db");
        Restorer.restore(client, RestoreOptions.to(out).withGeneration(older));
        assertThat(TestReplica.rows(out)).isEqualTo(olderRows);
    }

    @Test
    void aTouchedFileInTheOlderGenerationIsRefusedNamingBoth() throws Exception {
        WalSegmentInfo first = ReplicaCatalog.load(client).walSegments(older).get(0);
        Files.setLastModifiedTime(history.replica.resolve(first.key()), FileTime.from(Instant.now().plusSeconds(60)));

        KeelException e = refusal();
        assertThat(e.getMessage()).contains(older.id()).contains(newer.id()).contains("overlap");
    }

    @Test
    void filesCopiedWithoutTheirTimesInTheWrongOrderAreRefused() throws Exception {
        // As 'cp -r' without -p does, generation by generation: here the newer one first, so the older
        // generation's files all carry later times and its span is entirely after the newer one's.
        Instant t = Instant.now();
        for (Generation g : List.of(newer, older)) {
            try (Stream<Path> files = Files.walk(history.replica.resolve(ReplicaLayout.generationPrefix(g)))) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    t = t.plusMillis(1);
                    Files.setLastModifiedTime(f, FileTime.from(t));
                }
            }
        }
        KeelException e = refusal();
        assertThat(e.getMessage()).contains(older.id()).contains(newer.id());
    }

    @Test
    void aRenamedNewestGenerationIsRefusedNamingIt() throws Exception {
        Path from = history.replica.resolve(ReplicaLayout.generationPrefix(newer));
        Files.move(from, from.resolveSibling(newer.id().toUpperCase()));

        KeelException e = refusal();
        assertThat(e.subject()).contains(ReplicaLayout.GENERATIONS + "/" + newer.id().toUpperCase() + "/");
    }

    @Test
    void aNewestGenerationReplacedByALinkOutOfTheTreeIsRefusedAndNotFollowed() throws Exception {
        Path from = history.replica.resolve(ReplicaLayout.generationPrefix(newer));
        Path outside = Files.move(from, dir.resolve("elsewhere"));
        Files.createSymbolicLink(from, outside);

        KeelException e = refusal();
        assertThat(e.subject()).endsWith(ReplicaLayout.GENERATIONS + "/" + newer.id());
    }

    @Test
    void aLastSegmentThatIsALinkOutOfTheTreeFailsNamingIt() throws Exception {
        List<WalSegmentInfo> wal = ReplicaCatalog.load(client).walSegments(newer);
        Path last = history.replica.resolve(wal.get(wal.size() - 1).key());
        Path outside = Files.move(last, dir.resolve("segment-elsewhere"));
        Files.createSymbolicLink(last, outside);

        KeelException e = refusal();
        assertThat(e.subject()).isEqualTo(client.describe() + "/" + wal.get(wal.size() - 1).key());
        assertThat(e.getMessage()).contains("symbolic link");
    }

    private KeelException refusal() {
        Path out = dir.resolve("latest-" + System.nanoTime() + ".db");
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> Restorer.restore(client, RestoreOptions.to(out)));
        assertThat(thrown).isInstanceOf(KeelException.class);
        KeelException e = (KeelException) thrown;
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).startsWith(client.describe() + "/");
        assertThat(e.hint()).isNotBlank();
        assertThat(out).doesNotExist();
        return e;
    }

    private List<String> restoreLatest() throws Exception {
        Path out = dir.resolve("check-" + System.nanoTime() + ".db");
        Restorer.restore(client, RestoreOptions.to(out));
        return TestReplica.rows(out);
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
