package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The choice among a database's replicas, made by the library as Litestream 0.3 makes it: the replica
 * named with {@code -replica}, else the one with the latest data, whatever order they are listed in.
 */
class ReplicaChoiceTest {
    static final Generation OLDER = new Generation("00000000000000a1");
    static final Generation NEWER = new Generation("00000000000000b2");

    @TempDir
    Path dir;
    List<String> olderRows;
    List<String> newerRows;

    @BeforeEach
    void twoReplicasOfOneDatabase() throws Exception {
        Files.createDirectories(dir.resolve("older"));
        Files.createDirectories(dir.resolve("newer"));
        try (TestReplica older = new TestReplica(dir.resolve("older"), OLDER)) {
            older.tick();
            older.insert(5, 10);
            olderRows = TestReplica.rows(older.db);
        }
        try (TestReplica newer = new TestReplica(dir.resolve("newer"), NEWER)) {
            for (int i = 0; i < 6; i++) newer.tick(); // its objects are a minute younger than the other replica's
            newer.insert(9, 10);
            newerRows = TestReplica.rows(newer.db);
        }
        assertThat(newerRows).isNotEqualTo(olderRows);
    }

    private ReplicaChoice.Candidate candidate(String name) {
        return new ReplicaChoice.Candidate(name, new FileReplicaClient(dir.resolve(name).resolve("replica")));
    }

    @Test
    void theReplicaWithTheLatestDataIsChosenWhateverTheOrder() throws Exception {
        for (List<String> order : List.of(List.of("older", "newer"), List.of("newer", "older"))) {
            Path out = dir.resolve("latest-" + order.get(0) + ".db");
            RestoreResult result = Restorer.configure().replicas("app.db", order.stream().map(this::candidate).toList())
                    .output(out).restore();
            assertThat(result.replicaName()).isEqualTo("newer");
            assertThat(result.generation()).isEqualTo(NEWER);
            assertThat(TestReplica.rows(out)).isEqualTo(newerRows);
        }
    }

    @Test
    void aNamedReplicaIsUsedEvenWhenAnotherHoldsNewerData() throws Exception {
        Path out = dir.resolve("named.db");
        RestoreResult result = Restorer.configure().replicas("app.db", List.of(candidate("newer"), candidate("older")))
                .replica("older").output(out).restore();
        assertThat(result.replicaName()).isEqualTo("older");
        assertThat(result.generation()).isEqualTo(OLDER);
        assertThat(TestReplica.rows(out)).isEqualTo(olderRows);
    }

    @Test
    void anUnknownReplicaNameIsNotFoundAndListsTheReplicas() {
        Path out = dir.resolve("none.db");
        assertThatThrownBy(() -> Restorer.configure().replicas("app.db", List.of(candidate("newer"), candidate("older")))
                .replica("offsite").output(out).restore())
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains("\"offsite\"");
                    assertThat(e.subject()).isEqualTo("app.db");
                    assertThat(e.hint()).contains("newer, older");
                });
        assertThat(out).doesNotExist();
    }

    @Test
    void replicasWithoutBackupsAreNotFoundOrEmptyWhenThatIsAllowed() throws Exception {
        Files.createDirectories(dir.resolve("empty1/replica"));
        Files.createDirectories(dir.resolve("empty2/replica"));
        Restorer.Builder restorer = Restorer.configure().replicas("app.db", List.of(candidate("empty1"), candidate("empty2")))
                .output(dir.resolve("out.db"));
        assertThat(restorer.restoreIfFound()).isEmpty();
        assertThatThrownBy(restorer::restore).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.subject()).isEqualTo("app.db");
        });
    }
}
