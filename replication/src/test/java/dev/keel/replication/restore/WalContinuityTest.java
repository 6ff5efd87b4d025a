package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WAL indexes must follow one another as SQLite restarts a WAL (salt-1 plus one): an index replaced by
 * a copy of the previous index, or by an index of another database, has frames that check out against
 * its own header and used to be applied silently, losing the real index's transactions.
 */
class WalContinuityTest {
    @TempDir
    Path dir;

    @Test
    void aReplicaWrittenByKeelContinuesAcrossEveryWalRestart() throws Exception {
        try (KeelHistory history = new KeelHistory(dir.resolve("a"))) {
            Random random = new Random(7);
            for (int i = 0; i < 8; i++) history.commit(15, random);
            FileReplicaClient client = new FileReplicaClient(history.replica);
            ReplicaCatalog catalog = ReplicaCatalog.load(client);
            Generation g = catalog.latestGeneration().orElseThrow().generation();
            assertThat(indexes(catalog.walSegments(g))).as("WAL restarts in the history").isGreaterThan(4);

            Path out = dir.resolve("out.db");
            Restorer.restore(client, RestoreOptions.to(out));
            assertThat(TestReplica.rows(out)).isEqualTo(history.latest().rows());
        }
    }

    @Test
    void anIndexReplacedByACopyOfThePreviousOneFailsNamingIt() throws Exception {
        try (KeelHistory history = new KeelHistory(dir.resolve("a"))) {
            Random random = new Random(8);
            for (int i = 0; i < 6; i++) history.commit(15, random);
            ReplicaCatalog catalog = ReplicaCatalog.load(new FileReplicaClient(history.replica));
            Generation g = catalog.latestGeneration().orElseThrow().generation();
            List<WalSegmentInfo> wal = catalog.walSegments(g);
            long last = wal.get(wal.size() - 1).index();
            replaceIndex(history.replica, history.replica, g, g, last - 1, last);

            assertFailsNaming(history.replica, ReplicaLayout.walSegmentKey(g, last, 0), "repeats the salts");
        }
    }

    @Test
    void anIndexCopiedFromAnotherDatabaseFailsNamingIt() throws Exception {
        try (KeelHistory a = new KeelHistory(dir.resolve("a")); KeelHistory b = new KeelHistory(dir.resolve("b"))) {
            Random random = new Random(9);
            for (int i = 0; i < 6; i++) {
                a.commit(15, random);
                b.commit(15, random);
            }
            Generation ga = ReplicaCatalog.load(new FileReplicaClient(a.replica)).latestGeneration().orElseThrow().generation();
            ReplicaCatalog other = ReplicaCatalog.load(new FileReplicaClient(b.replica));
            Generation gb = other.latestGeneration().orElseThrow().generation();
            List<WalSegmentInfo> wal = ReplicaCatalog.load(new FileReplicaClient(a.replica)).walSegments(ga);
            long last = wal.get(wal.size() - 1).index();
            assertThat(other.walSegments(gb).stream().anyMatch(w -> w.index() == last)).isTrue();
            replaceIndex(b.replica, a.replica, gb, ga, last, last);

            assertFailsNaming(a.replica, ReplicaLayout.walSegmentKey(ga, last, 0), "salt-1");
        }
    }

    private void assertFailsNaming(Path replica, String key, String why) {
        Path out = dir.resolve("out.db");
        assertThatThrownBy(() -> Restorer.restore(new FileReplicaClient(replica), RestoreOptions.to(out)))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.subject()).isEqualTo(new FileReplicaClient(replica).describe() + "/" + key);
                    assertThat(e.getMessage()).contains("does not continue").contains(why);
                    assertThat(e.hint()).contains("-index");
                });
        assertThat(out).doesNotExist();
    }

    /** Replaces every segment of index {@code to} in {@code toGen} by the segments of index {@code from} in {@code fromGen}. */
    static void replaceIndex(Path fromReplica, Path toReplica, Generation fromGen, Generation toGen, long from, long to)
            throws Exception {
        for (WalSegmentInfo w : ReplicaCatalog.load(new FileReplicaClient(toReplica)).walSegments(toGen)) {
            if (w.index() == to) Files.delete(toReplica.resolve(w.key()));
        }
        for (WalSegmentInfo w : ReplicaCatalog.load(new FileReplicaClient(fromReplica)).walSegments(fromGen)) {
            if (w.index() == from) {
                Files.copy(fromReplica.resolve(w.key()), toReplica.resolve(ReplicaLayout.walSegmentKey(toGen, to, w.offset())));
            }
        }
    }

    private static long indexes(List<WalSegmentInfo> wal) {
        return wal.stream().mapToLong(WalSegmentInfo::index).distinct().count();
    }
}
