package dev.keel.fleet.branch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BranchReapTest {
    @TempDir
    Path root;
    Path source;
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        source = root.resolve("app.db");
        Db.create(source, 10, 10);
        dir = Files.createDirectories(root.resolve("branches"));
    }

    private Branch branch(String name, Duration ttl) {
        return Branches.create(BranchSpec.from(BranchSource.database(source)).to(dir.resolve(name)).ttl(ttl).build());
    }

    private static Instant in(Duration d) {
        return Instant.now().plus(d);
    }

    private Stream<String> names(Path d) throws Exception {
        return Files.list(d).map(p -> p.getFileName().toString()).sorted();
    }

    @Test
    void reapDeletesOnlyExpiredBranchesWithTheirSideFiles() throws Exception {
        Branch old = branch("old.db", Duration.ofHours(1));
        Branch young = branch("young.db", Duration.ofHours(5));
        for (String side : new String[] {"old.db-wal", "old.db-shm", "old.db-journal", "young.db-wal"}) {
            Files.writeString(dir.resolve(side), "x");
        }
        Files.createDirectories(dir.resolve(".old.db-keel/generations/0123456789abcdef"));
        Files.writeString(dir.resolve(".old.db-keel/generations/0123456789abcdef/x"), "x");
        Db.create(dir.resolve("lookalike.db"), 3, 3); // a database without a sidecar is not a branch
        Files.writeString(dir.resolve("lookalike.db-wal"), "x");

        ReapReport dry = Branches.reap(dir, in(Duration.ofHours(2)), true);
        assertThat(dry.reaped()).extracting(r -> r.branch().path()).containsExactly(old.path());
        assertThat(Files.exists(old.path())).isTrue();

        ReapReport report = Branches.reap(dir, in(Duration.ofHours(2)), false);
        assertThat(report.reaped()).hasSize(1);
        assertThat(report.reaped().get(0).files()).extracting(p -> p.getFileName().toString())
                .containsExactly("old.db-wal", "old.db-shm", "old.db-journal", ".old.db-keel", "old.db", "old.db.keel-branch");
        assertThat(report.kept()).extracting(Branch::path).containsExactly(young.path());
        assertThat(report.problems()).isEmpty();
        assertThat(names(dir)).containsExactly("lookalike.db", "lookalike.db-wal", "young.db", "young.db-wal", "young.db.keel-branch");
        assertThat(Db.integrity(young.path())).isEqualTo("ok");
    }

    @Test
    void reapNeverFollowsASymbolicLinkOutOfTheDirectory() throws Exception {
        Path outside = Files.createDirectories(root.resolve("outside"));
        Path precious = Files.writeString(outside.resolve("precious.txt"), "keep");
        Path outsideDb = outside.resolve("other.db");
        Db.create(outsideDb, 3, 3);
        Branch b = branch("b.db", Duration.ofMinutes(1));
        Files.createSymbolicLink(dir.resolve(".b.db-keel"), outside);
        Files.createSymbolicLink(dir.resolve("b.db-wal"), precious);
        Branch linked = branch("linked.db", Duration.ofMinutes(1));
        Files.delete(linked.path());
        Files.createSymbolicLink(linked.path(), outsideDb); // the branch was swapped for a link to another database

        ReapReport report = Branches.reap(dir, in(Duration.ofHours(1)), false);
        assertThat(report.reaped()).hasSize(2);
        assertThat(Files.readString(precious)).isEqualTo("keep");
        assertThat(Db.number(outsideDb, "SELECT count(*) FROM t")).isEqualTo(3);
        assertThat(names(outside)).contains("other.db", "precious.txt");
        assertThat(names(dir)).isEmpty();
        assertThat(Files.exists(b.path())).isFalse();
    }

    @Test
    void aMalformedSidecarIsReportedAndItsDatabaseLeftAloneAndAnOrphanIsForgotten() throws Exception {
        Branch good = branch("good.db", Duration.ofMinutes(1));
        Db.create(dir.resolve("bad.db"), 3, 3);
        Files.writeString(dir.resolve("bad.db.keel-branch"), "keel-branch=1\nexpires=tomorrow\n");
        Db.create(dir.resolve("huge.db"), 3, 3);
        Files.write(dir.resolve("huge.db.keel-branch"), new byte[Sidecar.MAX_BYTES + 1]);
        Branch orphan = branch("gone.db", Duration.ofHours(10));
        Files.delete(orphan.path());

        BranchListing listing = Branches.list(dir, in(Duration.ofHours(1)));
        assertThat(listing.branches()).extracting(Branch::path).containsExactly(good.path());
        assertThat(listing.expired()).extracting(Branch::path).containsExactly(good.path());
        assertThat(listing.orphans()).extracting(Branch::path).containsExactly(orphan.path());
        assertThat(listing.problems()).extracting(p -> p.file().getFileName().toString())
                .containsExactlyInAnyOrder("bad.db.keel-branch", "huge.db.keel-branch");
        assertThat(listing.problems()).extracting(BranchListing.Problem::message)
                .anySatisfy(m -> assertThat(m).contains("has no 'created'"))
                .anySatisfy(m -> assertThat(m).contains("larger than 64 KiB"));

        ReapReport report = Branches.reap(dir, in(Duration.ofHours(1)), false);
        assertThat(report.forgotten()).extracting(Branch::path).containsExactly(orphan.path());
        assertThat(report.problems()).hasSize(2);
        assertThat(names(dir)).containsExactly("bad.db", "bad.db.keel-branch", "huge.db", "huge.db.keel-branch");
    }

    @Test
    void aFreshOrphanIsNotForgottenWhileItsBranchMayStillBeMovingIntoPlace() throws Exception {
        Branch b = branch("moving.db", Duration.ofHours(1));
        Files.delete(b.path());
        assertThat(Branches.reap(dir, Instant.now(), false).forgotten()).isEmpty();
        assertThat(Branches.reap(dir, in(BranchDirectory.ORPHAN_GRACE.plusSeconds(1)), false).forgotten()).hasSize(1);
        assertThat(names(dir)).isEmpty();
    }

    @Test
    void tempFilesOfAnInterruptedCreationAreDeletedOnceNobodyWroteThemForAnHour() throws Exception {
        Path old = Files.writeString(dir.resolve(".crashed.db.keel-branch-0123456789abcdef.tmp"), "half a copy");
        Path oldWal = Files.writeString(dir.resolve(".crashed.db.keel-branch-0123456789abcdef.tmp-wal"), "frames");
        Path fresh = Files.writeString(dir.resolve(".running.db.keel-branch-fedcba9876543210.tmp"), "being copied");
        Path lookalike = Files.writeString(dir.resolve(".notes.keel-branch-xyz.tmp"), "not ours");
        FileTime twoHoursAgo = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
        for (Path p : List.of(old, oldWal, lookalike)) Files.setLastModifiedTime(p, twoHoursAgo);

        ReapReport dry = Branches.reap(dir, true);
        assertThat(dry.leftovers()).containsExactly(old, oldWal);
        assertThat(old).exists();
        ReapReport report = Branches.reap(dir, false);
        assertThat(report.leftovers()).containsExactly(old, oldWal);
        assertThat(old).doesNotExist();
        assertThat(oldWal).doesNotExist();
        assertThat(fresh).exists();
        assertThat(lookalike).exists();
    }

    @Test
    void extendMovesTheDeadlineFromNow() throws Exception {
        Branch b = branch("b.db", Duration.ofMinutes(5));
        Instant before = Instant.now();
        Branch extended = Branches.extend(dir.resolve("b.db"), Duration.ofHours(24));
        assertThat(extended.expires()).isBetween(before.plus(Duration.ofHours(24)), Instant.now().plus(Duration.ofHours(24)));
        assertThat(extended.created()).isEqualTo(b.created());
        assertThat(Branches.list(dir).branches()).containsExactly(extended);
        assertThat(Branches.reap(dir, in(Duration.ofHours(1)), false).reaped()).isEmpty();

        Db.create(dir.resolve("plain.db"), 1, 1);
        assertThatThrownBy(() -> Branches.extend(dir.resolve("plain.db"), Duration.ofHours(1)))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> Branches.extend(dir.resolve("b.db"), Duration.ZERO))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USAGE));
    }

    @Test
    void theReaperThreadDeletesABranchSoonAfterItExpires() throws Exception {
        Branch b = branch("short.db", Duration.ofMillis(1500));
        Branch kept = branch("long.db", Duration.ofHours(1));
        try (BranchReaper reaper = BranchReaper.start(java.util.List.of(dir))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (Files.exists(b.path()) && System.nanoTime() < deadline) Thread.sleep(50);
        }
        assertThat(Files.exists(b.path())).isFalse();
        assertThat(Files.exists(b.sidecar())).isFalse();
        assertThat(Files.exists(kept.path())).isTrue();
    }

    @Test
    void listingAMissingDirectoryIsNotFound() {
        assertThatThrownBy(() -> Branches.list(root.resolve("nope")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
}
