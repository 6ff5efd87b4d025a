package dev.keel.fleet.branch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BranchRefusalTest {
    @TempDir
    Path dir;
    Path db;

    @BeforeEach
    void source() throws Exception {
        db = dir.resolve("app.db");
        Db.create(db, 10, 10);
    }

    private void refused(Path to, ErrorCode code, String message) {
        boolean hadSidecar = Files.exists(Branch.sidecarOf(to.toAbsolutePath().normalize()));
        byte[] before;
        try {
            before = Files.exists(db) ? Files.readAllBytes(db) : null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThatThrownBy(() -> Branches.create(BranchSpec.from(BranchSource.database(db)).to(to).build()))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(message);
                    assertThat(e.hint()).isNotBlank();
                });
        assertThat(Files.exists(Branch.sidecarOf(to.toAbsolutePath().normalize()))).isEqualTo(hadSidecar);
        try {
            assertThat(Files.readAllBytes(db)).isEqualTo(before);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theSourceItselfIsRefusedHoweverItIsSpelled() throws Exception {
        refused(db, ErrorCode.REFUSED, "--to is the source database");
        refused(dir.resolve("sub/../app.db"), ErrorCode.REFUSED, "--to is the source database");
        refused(Files.createSymbolicLink(dir.resolve("link.db"), db), ErrorCode.REFUSED, "--to is the source database");
        refused(Files.createLink(dir.resolve("hard.db"), db), ErrorCode.REFUSED, "--to is the source database");
        Path linkedDir = Files.createSymbolicLink(dir.resolve("alias"), dir);
        refused(linkedDir.resolve("app.db"), ErrorCode.REFUSED, "--to is the source database");
    }

    @Test
    void anExistingFileOrStaleCompanionIsRefused() throws Exception {
        Path other = Files.writeString(dir.resolve("other.db"), "keep me");
        refused(other, ErrorCode.REFUSED, "already exists");
        assertThat(Files.readString(other)).isEqualTo("keep me");
        Files.writeString(dir.resolve("b.db-wal"), "stale");
        refused(dir.resolve("b.db"), ErrorCode.REFUSED, "stale b.db-wal");
        Files.writeString(dir.resolve("c.db-shm"), "stale");
        refused(dir.resolve("c.db"), ErrorCode.REFUSED, "stale c.db-shm");
        Files.writeString(dir.resolve("d.db.keel-branch"), "stale");
        refused(dir.resolve("d.db"), ErrorCode.REFUSED, "stale d.db.keel-branch");
        refused(dir.resolve("e.db-wal"), ErrorCode.USAGE, "side files");
        refused(Files.createDirectories(dir.resolve("adir")), ErrorCode.REFUSED, "is a directory");
    }

    @Test
    void aPathInsideAReplicaOrShadowDirectoryIsRefused() throws Exception {
        Path replica = dir.resolve("replica");
        Files.createDirectories(replica.resolve("generations/0123456789abcdef/wal"));
        refused(replica.resolve("b.db"), ErrorCode.REFUSED, "inside the replica directory");
        refused(replica.resolve("generations/0123456789abcdef/wal/b.db"), ErrorCode.REFUSED, "inside the replica directory");
        refused(replica.resolve("new/sub/b.db"), ErrorCode.REFUSED, "inside the replica directory");
        Files.createDirectories(dir.resolve(".app.db-keel"));
        refused(dir.resolve(".app.db-keel/b.db"), ErrorCode.REFUSED, "shadow directory");
        Files.createDirectories(dir.resolve("lookalike/generations/not-a-generation"));
        Branch ok = Branches.create(BranchSpec.from(BranchSource.database(db)).to(dir.resolve("lookalike/b.db")).build());
        assertThat(Files.exists(ok.path())).isTrue();
    }

    @Test
    void aTimeToLiveOutOfBoundsIsAUsageError() {
        for (Duration ttl : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), Duration.ofDays(366)}) {
            assertThatThrownBy(() -> BranchSpec.from(BranchSource.database(db)).to(dir.resolve("b.db")).ttl(ttl).build())
                    .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USAGE));
        }
        assertThat(BranchSpec.from(BranchSource.database(db)).to(dir.resolve("b.db")).ttl(Duration.ofDays(365)).build().ttl())
                .isEqualTo(Duration.ofDays(365));
    }
}
