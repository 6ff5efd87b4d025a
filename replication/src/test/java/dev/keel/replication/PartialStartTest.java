package dev.keel.replication;

import static dev.keel.replication.TestDatabases.dump;
import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One bad database in a config stops only itself; all bad still fails at start. */
class PartialStartTest {
    @TempDir
    Path dir;

    private DatabaseConfig config(String name) {
        return new DatabaseConfig(dir.resolve(name), null, Duration.ofMillis(30), null, 0, 0,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(dir.resolve("replica-" + name)),
                        Duration.ofMillis(30), null, null, null, null)));
    }

    private Path createDb(String name, int rows) throws Exception {
        Path db = dir.resolve(name);
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            for (int i = 0; i < rows; i++) exec(app, "INSERT INTO t VALUES (" + i + ", 'row " + i + "')");
        }
        return db;
    }

    @Test
    void whenNoDatabaseOpensStartFailsNamingTheFirstWithTheOthersSuppressed() throws Exception {
        Files.writeString(dir.resolve("notes.db"), "not a database at all, just some text ".repeat(10));
        assertThatThrownBy(() -> Replicator.configure().databases(List.of(config("missing.db"), config("notes.db")))
                .backgroundLoops(false).start())
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.subject()).contains("missing.db");
                    assertThat(e.getSuppressed()).singleElement().satisfies(s ->
                            assertThat(s).hasMessageContaining("not a SQLite database"));
                });
    }

    @Test
    void aMissingDatabaseIsRetriedBySyncWhileTheOthersReplicate() throws Exception {
        Path good = createDb("good.db", 10);
        try (Replicator r = Replicator.configure().databases(List.of(config("good.db"), config("later.db")))
                .backgroundLoops(false).start()) {
            assertThat(r.waitingDatabases()).containsExactly(dir.resolve("later.db"));
            assertThatThrownBy(r::sync).isInstanceOfSatisfying(KeelException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
            assertThat(r.replicaPosition(good, "local")).as("the good one replicates meanwhile").isEqualTo(r.position(good));

            Path later = createDb("later.db", 5);
            r.sync();
            assertThat(r.waitingDatabases()).isEmpty();
            assertThat(r.replicaPosition(later, "local")).isNotNull().isEqualTo(r.position(later));
        }
        assertThat(dump(TestDatabases.restore(dir.resolve("replica-later.db"), dir.resolve("r1.db")))).hasSize(5);
        assertThat(dump(TestDatabases.restore(dir.resolve("replica-good.db"), dir.resolve("r2.db")))).hasSize(10);
    }

    @Test
    void theBackgroundLoopsPickUpADatabaseCreatedAfterStart() throws Exception {
        createDb("good.db", 3);
        try (Replicator r = Replicator.configure().databases(List.of(config("good.db"), config("later.db"))).start()) {
            Thread.sleep(100);
            assertThat(r.waitingDatabases()).containsExactly(dir.resolve("later.db"));
            Path later = createDb("later.db", 7);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((r.position(later) == null || !r.position(later).equals(r.replicaPosition(later, "local")))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(r.waitingDatabases()).isEmpty();
            assertThat(r.replicaPosition(later, "local")).isNotNull().isEqualTo(r.position(later));
        }
        assertThat(dump(TestDatabases.restore(dir.resolve("replica-later.db"), dir.resolve("r.db")))).hasSize(7);
    }
}
