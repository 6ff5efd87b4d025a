package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore builder's contract: every misuse is a USAGE KeelException, every result names its replica. */
class RestorerBuilderTest {
    static final Generation GEN = new Generation("0123456789abcdef");

    @TempDir
    Path dir;

    private void assertUsage(Runnable misuse, String message) {
        assertThatThrownBy(misuse::run).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void misuseIsAUsageError() {
        FileReplicaClient client = new FileReplicaClient(dir.resolve("replica"));
        assertUsage(() -> Restorer.configure().from(client).parallelism(0), "parallelism");
        assertUsage(() -> Restorer.configure().from(client).position(new Position(GEN, 1, 0))
                .generation(new Generation("fedcba9876543210")), "differs");
        assertUsage(() -> Restorer.configure().from(client).restore(), "no output path");
        assertUsage(() -> Restorer.configure().output(dir.resolve("o.db")).restore(), "no replica");
    }

    @Test
    void aRestoreFromOneClientNamesItByItsType() throws Exception {
        Files.createDirectories(dir.resolve("src"));
        try (TestReplica r = new TestReplica(dir.resolve("src"), GEN)) {
            r.insert(3, 10);
            Path out = dir.resolve("out.db");
            RestoreResult result = Restorer.configure().from(new FileReplicaClient(r.root)).output(out).parallelism(2).restore();
            assertThat(result.replicaName()).isEqualTo("file");
            assertThat(result.output()).isEqualTo(out.toAbsolutePath().normalize());
            assertThat(TestReplica.rows(out)).isEqualTo(TestReplica.rows(r.db));
        }
    }
}
