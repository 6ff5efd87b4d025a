package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.internal.WriteGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a restore does at its output path: it refuses the {@code -wal}, {@code -shm} and
 * {@code -journal} files another database left there (SQLite would apply them to the restored file),
 * or removes them when asked; and a full local disk is a local I/O error about the output, not a
 * corrupt replica.
 */
class RestoreOutputTest {
    @TempDir
    Path dir;

    @Test
    void aStaleWalAtTheOutputPathIsRefusedNamingIt() throws Exception {
        try (KeelHistory history = new KeelHistory(dir.resolve("source"))) {
            history.commit(30, new Random(1));
            Path out = dir.resolve("app.db");
            Path staleWal = leaveWalOfAnotherDatabase(out);

            assertThatThrownBy(() -> Restorer.restore(new FileReplicaClient(history.replica), RestoreOptions.to(out)))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
                        assertThat(e.subject()).isEqualTo(staleWal.toString());
                        assertThat(e.getMessage()).contains("app.db-wal");
                        assertThat(e.hint()).contains("--remove-stale-files");
                    });
            assertThat(out).doesNotExist();
            assertThat(staleWal).exists();
        }
    }

    @Test
    void withRemoveStaleFilesTheyAreRemovedAndTheRestoreHoldsOnlyTheReplicasRows() throws Exception {
        try (KeelHistory history = new KeelHistory(dir.resolve("source"))) {
            history.commit(30, new Random(2));
            Path out = dir.resolve("app.db");
            leaveWalOfAnotherDatabase(out);
            Files.writeString(dir.resolve("app.db-shm"), "stale");
            Files.writeString(dir.resolve("app.db-journal"), "stale");

            Restorer.restore(new FileReplicaClient(history.replica), RestoreOptions.to(out).withRemoveStaleFiles(true));
            assertThat(StaleFiles.present(out)).isEmpty();
            assertThat(TestReplica.rows(out)).isEqualTo(history.latest().rows());
            assertThat(IntegrityCheck.problems(out)).isEmpty();
        }
    }

    @Test
    void eachCompanionFileIsRefused() throws Exception {
        try (KeelHistory history = new KeelHistory(dir.resolve("source"))) {
            history.commit(5, new Random(3));
            for (String suffix : StaleFiles.SUFFIXES) {
                Path out = dir.resolve("out" + suffix.replace("-", "") + ".db");
                Path stale = Files.writeString(out.resolveSibling(out.getFileName() + suffix), "x");
                assertThatThrownBy(() -> Restorer.restore(new FileReplicaClient(history.replica), RestoreOptions.to(out)))
                        .isInstanceOfSatisfying(KeelException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
                            assertThat(e.subject()).isEqualTo(stale.toString());
                        });
            }
        }
    }

    @Test
    void aFullOutputDiskIsALocalIoErrorAboutTheOutputNotACorruptSnapshot() throws Exception {
        try (KeelHistory history = new KeelHistory(dir.resolve("source"))) {
            history.commit(200, new Random(4)); // a snapshot of several pages, WAL of many more
            Path out = dir.resolve("restored.db");
            for (long room : new long[] {0, 4096, 40_000}) {
                AtomicLong written = new AtomicLong();
                WriteGate disk = (file, bytes) -> {
                    if (written.addAndGet(bytes) > room) throw new IOException("No space left on device");
                };
                assertThatThrownBy(() -> Restorer.restore(new FileReplicaClient(history.replica), RestoreOptions.to(out), disk))
                        .as("with %d bytes of room", room)
                        .isInstanceOfSatisfying(KeelException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.IO);
                            assertThat(e.subject()).isEqualTo(out.toString());
                            assertThat(e.getMessage()).contains("No space left on device").doesNotContain("corrupt");
                            assertThat(e.hint()).contains(dir.toString());
                        });
                assertThat(out).doesNotExist();
                try (Stream<Path> files = Files.list(dir)) {
                    assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("source");
                }
            }
            Restorer.restore(new FileReplicaClient(history.replica), RestoreOptions.to(out));
            assertThat(TestReplica.rows(out)).isEqualTo(history.latest().rows());
        }
    }

    @Test
    void parallelismBelowOneIsRefused() {
        for (int n : new int[] {0, -1, RestoreOptions.MAX_PARALLELISM + 1}) {
            assertThatThrownBy(() -> RestoreOptions.to(dir.resolve("x.db")).withParallelism(n))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism");
        }
    }

    /**
     * Leaves at {@code out}'s -wal path the WAL of another live database with committed rows, as
     * {@code rm app.db} leaves it: a valid WAL that SQLite would apply to whatever file gets that name.
     */
    private Path leaveWalOfAnotherDatabase(Path out) throws Exception {
        Path other = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA wal_autocheckpoint=0");
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t(v) VALUES ('other database')");
            Path wal = out.resolveSibling(out.getFileName() + "-wal");
            Files.copy(Path.of(other + "-wal"), wal);
            Files.delete(other);
            return wal;
        } finally {
            for (String suffix : List.of("-wal", "-shm")) Files.deleteIfExists(Path.of(other + suffix));
        }
    }
}
