package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.ObjectInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Finding a fleet's databases in a listing of its prefix, whose names are untrusted. */
class ReplicaPrefixTest {
    static final String SNAP = "generations/0011223344556677/snapshots/00000001.snapshot.lz4";
    static final String WAL = "generations/0011223344556677/wal/00000001_00000000.wal.lz4";
    static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

    private static List<ObjectInfo> listing(String... keys) {
        List<ObjectInfo> out = new ArrayList<>();
        for (String k : keys) out.add(new ObjectInfo(k, 10, T));
        return out;
    }

    private static Map<String, String> problems(List<ReplicaPrefix.Found> found) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ReplicaPrefix.Found f : found) out.put(f.path(), f.problem() == null ? "ok" : f.problem());
        return out;
    }

    @Test
    void everyPathHoldingAGenerationsTreeIsOneDatabaseWithItsOwnObjects() {
        List<ReplicaPrefix.Found> found = ReplicaPrefix.discover("p", listing("a.db/" + SNAP, "a.db/" + WAL,
                "eu/de/b.db/" + SNAP, "eu/de/b.db/generations/0011223344556677/snapshots/BAD.snapshot.lz4",
                "eu/readme.txt", "c.db/generations/x"), 100);
        assertThat(problems(found)).containsExactly(Map.entry("a.db", "ok"), Map.entry("eu/de/b.db", "ok"));
        assertThat(found.get(0).objects()).extracting(ObjectInfo::key).containsExactlyInAnyOrder(SNAP, WAL);
        // A stray under generations/ belongs to its database's catalog: it may stop a restore of the latest state.
        assertThat(found.get(1).catalog("p/eu/de/b.db").strays()).extracting(ObjectInfo::key)
                .containsExactly("generations/0011223344556677/snapshots/BAD.snapshot.lz4");
    }

    @Test
    void hostileNamesAreRefusedPerDatabase() {
        List<ReplicaPrefix.Found> found = ReplicaPrefix.discover("p", listing("../escape.db/" + SNAP, "x/../../y.db/" + SNAP,
                "/abs.db/" + SNAP, "a\\b.db/" + SNAP, "nul\0.db/" + SNAP, "a//b.db/" + SNAP, "./c.db/" + SNAP,
                "C:/win.db/" + SNAP, "app.db-wal/" + SNAP, "ok.db/" + SNAP, "line\n.db/" + SNAP,
                "d/".repeat(40) + "deep.db/" + SNAP), 100);
        Map<String, String> problems = problems(found);
        assertThat(problems).containsEntry("ok.db", "ok")
                .containsEntry("../escape.db", "the path has a '..' component")
                .containsEntry("x/../../y.db", "the path has a '..' component")
                .containsEntry("/abs.db", "the path is absolute")
                .containsEntry("a\\b.db", "the path contains a backslash")
                .containsEntry("nul\0.db", "the path contains a NUL character")
                .containsEntry("a//b.db", "the path has an empty component")
                .containsEntry("./c.db", "the path has a '.' component")
                .containsEntry("C:/win.db", "the path starts with a drive letter")
                .containsEntry("line\n.db", "the path contains a control character")
                .containsEntry("d/".repeat(40) + "deep.db", "the path is deeper than 32 directories");
        assertThat(problems.get("app.db-wal")).contains("-wal");
        assertThat(problems.values().stream().filter("ok"::equals)).hasSize(1);
    }

    @Test
    void thePrefixItselfAndDatabasesInsideAnotherAreRefused() {
        Map<String, String> problems = problems(ReplicaPrefix.discover("p", listing(SNAP, "a.db/" + SNAP, "a.db/inner.db/" + SNAP), 100));
        assertThat(problems.get("")).contains("the prefix itself");
        assertThat(problems.get("a.db")).isEqualTo("ok");
        assertThat(problems.get("a.db/inner.db")).contains("lies below database 'a.db'");
    }

    @Test
    void moreDatabasesThanTheLimitRefuseTheWholePrefix() {
        List<ObjectInfo> many = new ArrayList<>();
        for (int i = 0; i < 11; i++) many.add(new ObjectInfo("db" + i + "/" + SNAP, 1, T));
        assertThat(ReplicaPrefix.discover("p", many, 11)).hasSize(11);
        assertThatThrownBy(() -> ReplicaPrefix.discover("p", many, 10)).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(e.getMessage()).contains("more than 10 databases");
        });
    }
}
