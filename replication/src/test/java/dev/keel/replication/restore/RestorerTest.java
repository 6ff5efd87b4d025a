package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestorerTest {
    static final Generation GEN = new Generation("0123456789abcdef");

    @TempDir
    Path dir;

    @Test
    void restoresTheLatestStateByteForByte() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(50, 300);
            r.exec("UPDATE t SET v = 'x' WHERE id % 3 = 0");
            r.snapshot();
            r.insert(20, 2000);
            r.restartWal();
            r.exec("DELETE FROM t WHERE id < 10");
            r.insert(5, 100);
            r.restartWal(); // checkpoints the source so its file holds everything

            Path out = dir.resolve("out/restored.db");
            RestoreResult result = Restorer.restore(client(r), RestoreOptions.to(out));

            assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(r.db));
            assertThat(result.generation()).isEqualTo(GEN);
            assertThat(result.position().index()).isEqualTo(r.index() - 1);
            assertThat(result.walSegments()).isEqualTo(3); // index 2 from its snapshot, then index 3
            assertThat(leftovers(out.getParent())).isEmpty();
        }
    }

    @Test
    void pointInTimeContainsExactlyTheSegmentsWrittenBeforeTheTimestamp() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            Instant[] times = new Instant[6];
            List<?>[] states = new List<?>[6];
            for (int i = 0; i < 6; i++) {
                times[i] = r.tick();
                r.insert(3 + i, 200);
                if (i == 2) r.exec("UPDATE t SET v = 'changed'");
                if (i == 3) r.snapshot();
                states[i] = r.rows();
            }
            for (int i = 0; i < 6; i++) {
                Path out = dir.resolve("pit-" + i + ".db");
                Restorer.restore(client(r), RestoreOptions.to(out).withTarget(RestoreTarget.timestamp(times[i])));
                assertThat(TestReplica.rows(out)).as("state at tick %d", i).isEqualTo(states[i]);
            }
        }
    }

    @Test
    void aTimestampAfterTheLastWriteRestoresTheLatestState() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.tick();
            r.insert(5, 100);
            r.restartWal(); // no file written: the generation's last object is older than the target
            Instant later = r.tick().plusSeconds(3600);
            Path out = dir.resolve("later.db");
            Restorer.restore(client(r), RestoreOptions.to(out).withTarget(RestoreTarget.timestamp(later)));
            assertThat(TestReplica.rows(out)).isEqualTo(r.rows());
        }
    }

    @Test
    void restoresUpToAWalIndexInclusive() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(10, 100);
            long index = r.index();
            List<String> expected = r.rows();
            r.restartWal();
            r.insert(10, 100);
            Path out = dir.resolve("idx.db");
            RestoreResult result = Restorer.restore(client(r),
                    RestoreOptions.to(out).withGeneration(GEN).withTarget(RestoreTarget.index(index)));
            assertThat(TestReplica.rows(out)).isEqualTo(expected);
            assertThat(result.position().index()).isEqualTo(index);
        }
    }

    @Test
    void restoresToAnExactPosition() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(4, 100);
            r.insert(4, 100);
            List<String> expected = r.rows();
            r.insert(4, 100);
            // the third segment of this index starts where the second one ended
            String third = r.segmentKeys.get(r.segmentKeys.size() - 1);
            long offset = Long.parseLong(third.substring(third.lastIndexOf('_') + 1, third.indexOf(".wal")), 16);
            Position position = new Position(GEN, r.index(), offset);
            Path out = dir.resolve("pos.db");
            RestoreResult result = Restorer.restore(client(r), RestoreOptions.to(out).withPosition(position));
            assertThat(TestReplica.rows(out)).isEqualTo(expected);
            assertThat(result.position()).isEqualTo(position);
        }
    }

    @Test
    void aCorruptSegmentFailsNamingItAndWritesNothing() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(10, 500);
            r.insert(10, 500);
            String key = r.segmentKeys.get(r.segmentKeys.size() - 2);
            Path file = r.root.resolve(key);
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x40;
            Files.write(file, bytes);
            assertFailsNaming(r, key, ErrorCode.BAD_INPUT);
        }
    }

    @Test
    void aTruncatedSegmentFailsNamingIt() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(10, 500);
            String key = r.segmentKeys.get(r.segmentKeys.size() - 1);
            Path file = r.root.resolve(key);
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 9));
            assertFailsNaming(r, key, ErrorCode.BAD_INPUT);
        }
    }

    @Test
    void aSegmentWithValidCompressionButBrokenFramesFailsNamingIt() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(10, 500);
            String key = r.segmentKeys.get(r.segmentKeys.size() - 1);
            Path file = r.root.resolve(key);
            byte[] raw = dev.keel.format.Lz4.decompress(Files.readAllBytes(file));
            raw[raw.length - 100] ^= 1; // inside the last page: the checksum chain breaks
            Files.write(file, dev.keel.format.Lz4.compress(raw));
            assertFailsNaming(r, key, ErrorCode.BAD_INPUT);
        }
    }

    @Test
    void aTruncatedSnapshotFailsNamingIt() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(200, 1000);
            r.snapshot();
            String key = ReplicaLayout.snapshotKey(GEN, r.index());
            Path file = r.root.resolve(key);
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            assertFailsNaming(r, key, ErrorCode.BAD_INPUT);
        }
    }

    @Test
    void aMissingSegmentIsAGapNamingTheNextOne() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(3, 100);
            r.insert(3, 100);
            r.insert(3, 100);
            String missing = r.segmentKeys.get(r.segmentKeys.size() - 2);
            Files.delete(r.root.resolve(missing));
            assertFailsNaming(r, r.segmentKeys.get(r.segmentKeys.size() - 1), ErrorCode.BAD_INPUT);
        }
    }

    @Test
    void unknownAndHostileNamesAreIgnored() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(5, 100);
            List<String> expected = r.rows();
            r.put("generations/" + GEN + "/snapshots/ffffffff.snapshot.lz4.tmp", new byte[]{1, 2, 3});
            r.put("generations/0123456789ABCDEF/snapshots/00000009.snapshot.lz4", new byte[]{1});
            r.put("generations/" + GEN + "/wal/ffffffff_00000000.wal", new byte[]{1});
            r.put("generations/" + GEN + "/wal/sub/00000005_00000000.wal.lz4", new byte[]{1});
            r.put("generations/README", new byte[]{1});
            Path out = dir.resolve("out.db");
            Restorer.restore(client(r), RestoreOptions.to(out));
            assertThat(TestReplica.rows(out)).isEqualTo(expected);
            assertThat(ReplicaCatalog.load(client(r)).ignoredObjects()).isEqualTo(4);
        }
    }

    @Test
    void theTempFileOfAnUploadCutOffByAStorageCrashDoesNotBlockTheRestore() throws Exception {
        // s3proxy's filesystem store writes "key-UUID" and renames it when the upload completes; a server
        // killed mid-upload leaves it, lists it, and the replicator uploads the same bytes again under the key.
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(3, 100);
            r.insert(3, 100);
            List<String> expected = r.rows();
            String last = r.segmentKeys.get(r.segmentKeys.size() - 1);
            r.tick();
            r.put(last + "-3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c", new byte[]{1, 2, 3});
            Path out = dir.resolve("out.db");
            Restorer.restore(client(r), RestoreOptions.to(out));
            assertThat(TestReplica.rows(out)).isEqualTo(expected);
            assertThat(ReplicaCatalog.load(client(r)).ignoredObjects()).isEqualTo(1);
        }
    }

    @Test
    void aNewerObjectRenamedWithAnotherSuffixStillBlocksTheRestore() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(3, 100);
            String renamed = r.segmentKeys.get(r.segmentKeys.size() - 1) + "-old";
            r.tick();
            r.put(renamed, new byte[]{1, 2, 3});
            assertFailsNaming(r, renamed, ErrorCode.BAD_INPUT);
        }
    }

    @Test
    void refusesToOverwriteAnExistingFile() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            Path out = dir.resolve("exists.db");
            Files.writeString(out, "precious");
            assertThatThrownBy(() -> Restorer.restore(client(r), RestoreOptions.to(out)))
                    .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REFUSED));
            assertThat(Files.readString(out)).isEqualTo("precious");
        }
    }

    @Test
    void anEmptyReplicaHasNoBackups() {
        FileReplicaClient empty = new FileReplicaClient(dir.resolve("nothing"));
        assertThatThrownBy(() -> Restorer.restore(empty, RestoreOptions.to(dir.resolve("o.db"))))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("no matching backups found");
    }

    @Test
    void aShrinkingDatabaseIsCutToItsCommittedSize() throws Exception {
        try (TestReplica r = new TestReplica(dir, GEN)) {
            r.insert(300, 1000);
            r.snapshot();
            r.exec("DELETE FROM t WHERE id > 10");
            r.restartWal();
            r.execOutsideTransaction("VACUUM");
            r.insert(2, 10);
            List<String> expected = r.rows();
            r.restartWal();
            Path out = dir.resolve("small.db");
            Restorer.restore(client(r), RestoreOptions.to(out));
            assertThat(TestReplica.rows(out)).isEqualTo(expected);
            assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(r.db));
        }
    }

    private void assertFailsNaming(TestReplica r, String key, ErrorCode code) throws Exception {
        Path out = dir.resolve("failed/out.db");
        assertThatThrownBy(() -> Restorer.restore(client(r), RestoreOptions.to(out)))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.describe()).contains(key).contains(r.root.toString());
                });
        assertThat(out).doesNotExist();
        if (Files.exists(out.getParent())) assertThat(leftovers(out.getParent())).isEmpty();
        // Again with a memory budget so small that every segment is streamed instead of fetched ahead.
        assertThatThrownBy(() -> Restorer.restore(client(r), RestorePlanner.plan(ReplicaCatalog.load(client(r)),
                        RestoreOptions.to(out)).orElseThrow(), RestoreOptions.to(out), 2 * 4096))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.describe()).contains(key).contains(r.root.toString());
                });
        assertThat(out).doesNotExist();
        if (Files.exists(out.getParent())) assertThat(leftovers(out.getParent())).isEmpty();
    }

    static List<Path> leftovers(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")
                    || p.getFileName().toString().endsWith("-wal") || p.getFileName().toString().endsWith("-shm")).toList();
        }
    }

    static FileReplicaClient client(TestReplica r) {
        return new FileReplicaClient(r.root);
    }
}
