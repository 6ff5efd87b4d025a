package dev.keel.cli.replicate;

import static dev.keel.cli.replicate.AppDatabases.rows;
import static dev.keel.cli.replicate.AppDatabases.walDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.Keel;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.restore.Restorer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel replicate} as a user runs it: a separate process, stopped by a signal or by its -exec child. */
class ReplicateCommandTest {
    @TempDir
    Path dir;

    @Test
    void sigtermRunsAFinalSyncAndExitsZero() throws Exception {
        Path db = walDatabase(dir, "app.db");
        Path replica = dir.resolve("backup");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement();
             KeelProcess p = KeelProcess.start("replicate", db.toString(), replica.toUri().toString())) {
            p.await("snapshot written");
            for (int i = 0; i < 100; i++) s.execute("INSERT INTO t (v) VALUES ('row " + i + "')");
            long started = System.nanoTime();
            // SIGTERM, right after the last commit: only the final sync can have shipped it
            assertThat(p.stop()).as(p.log()).isZero();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(10_000);
        }
        Path out = dir.resolve("restored.db");
        Restorer.configure().from(new FileReplicaClient(replica)).output(out).restore();
        assertThat(rows(out)).hasSize(100);
    }

    @Test
    void execRunsTheApplicationAndExitsWithItsStatusAfterAFinalSync() throws Exception {
        Path db = walDatabase(dir, "app.db", "before");
        Path replica = dir.resolve("backup");
        Path marker = dir.resolve("child-ran");
        KeelProcess p = KeelProcess.start("replicate", "-exec", "sh -c 'touch " + marker + "; exit 3'", db.toString(), replica.toString());
        assertThat(p.awaitExit()).as(p.log()).isEqualTo(3);
        assertThat(marker).exists();
        assertThat(p.log()).contains("exited with status 3");
        Path out = dir.resolve("restored.db");
        Restorer.configure().from(new FileReplicaClient(replica)).output(out).restore();
        assertThat(rows(out)).hasSize(1);
    }

    @Test
    void sigtermIsForwardedToTheExecChild() throws Exception {
        Path db = walDatabase(dir, "app.db");
        Path marker = dir.resolve("child-got-term");
        // The child traps TERM, leaves a mark and exits 7; Keel must pass the signal on and return 7.
        try (KeelProcess p = KeelProcess.start("replicate", "-exec",
                "sh -c 'trap \"touch " + marker + "; exit 7\" TERM; while true; do sleep 0.1; done'",
                db.toString(), dir.resolve("backup").toString())) {
            p.await("snapshot written");
            assertThat(p.stop()).as(p.log()).isEqualTo(7);
        }
        assertThat(marker).exists();
    }

    @Test
    void configFileModeFollowsEveryDatabaseAndRunsTheConfiguredExec() throws Exception {
        Path a = walDatabase(dir, "a.db", "one", "two");
        Path b = walDatabase(dir, "b.db", "one", "two");
        Path config = dir.resolve("keel.yml");
        Files.writeString(config, "exec: sh -c 'exit 0'\n"
                + "dbs:\n"
                + "  - path: " + a + "\n"
                + "    replicas:\n"
                + "      - type: file\n"
                + "        path: " + dir.resolve("ra") + "\n"
                + "  - path: " + b + "\n"
                + "    replicas:\n"
                + "      - url: file://" + dir.resolve("rb") + "\n"
                + "      - type: file\n"
                + "        name: second\n"
                + "        path: " + dir.resolve("rb2") + "\n");
        KeelProcess p = KeelProcess.start("replicate", "-config", config.toString());
        assertThat(p.awaitExit()).as(p.log()).isZero();
        for (String replica : List.of("ra", "rb", "rb2")) {
            Path out = dir.resolve("restored-" + replica + ".db");
            Restorer.configure().from(new FileReplicaClient(dir.resolve(replica))).output(out).restore();
            assertThat(rows(out)).as(replica).hasSize(2);
        }
    }

    @Test
    void aDatabaseMovedIntoPlaceWhileReplicatingIsFollowedInANewGeneration() throws Exception {
        Path db = walDatabase(dir, "app.db", "old");
        Path replica = dir.resolve("backup");
        try (KeelProcess p = KeelProcess.start("replicate", db.toString(), replica.toUri().toString())) {
            p.await("snapshot written");
            // A deploy puts a new database in place, as an operator would: built elsewhere, moved over the
            // old one, the old WAL and shared-memory files removed; then the application writes to it.
            Path fresh = walDatabase(dir, "fresh.db", "new 1", "new 2");
            Files.move(fresh, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(dir.resolve("app.db-wal"));
            Files.deleteIfExists(dir.resolve("app.db-shm"));
            try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                s.execute("INSERT INTO t (v) VALUES ('new 3')");
                // the final sync must ship the new file's rows, not the old file's
                assertThat(p.stop()).as(p.log()).isZero();
            }
            Path out = dir.resolve("restored.db");
            Restorer.configure().from(new FileReplicaClient(replica)).output(out).restore();
            assertThat(rows(out)).as(p.log()).containsExactly("new 1", "new 2", "new 3");
        }
    }

    @Test
    void aShadowDirectoryDeletedWhileReplicatingStartsANewGeneration() throws Exception {
        Path db = walDatabase(dir, "app.db", "before");
        Path replica = dir.resolve("backup");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement();
             KeelProcess p = KeelProcess.start("replicate", db.toString(), replica.toUri().toString())) {
            s.execute("PRAGMA busy_timeout = 5000");
            p.await("snapshot written");
            // A careless cleanup removes Keel's local state while it runs; Keel may write a file
            // into it meanwhile, so the cleanup repeats as `rm -rf` run twice would.
            deleteTreeWhileWritten(dir.resolve(".app.db-keel"));
            s.execute("INSERT INTO t (v) VALUES ('after')");
            assertThat(p.stop()).as(p.log()).isZero();
        }
        Path out = dir.resolve("restored.db");
        Restorer.configure().from(new FileReplicaClient(replica)).output(out).restore();
        assertThat(rows(out)).containsExactly("before", "after");
    }

    private static void deleteTreeWhileWritten(Path root) throws Exception {
        for (int attempt = 1; Files.exists(root); attempt++) {
            try (var walk = Files.walk(root)) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
                return;
            } catch (java.nio.file.DirectoryNotEmptyException | java.nio.file.NoSuchFileException
                     | java.io.UncheckedIOException raced) {
                if (attempt == 20) throw raced;
                Thread.sleep(10);
            }
        }
    }

    /** An -exec child that creates its database, writes one row and exits at once. */
    public static final class CreateDatabaseAndExit {
        public static void main(String[] args) throws Exception {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]); Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = wal");
                s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
                s.execute("INSERT INTO t (v) VALUES ('written by the child')");
            }
        }
    }

    @Test
    void aDatabaseTheExecChildCreatesGetsTheFinalSyncEvenIfItNeverOpenedBefore() throws Exception {
        Path other = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
        }
        Path db = dir.resolve("app.db"); // created by the child, which exits before the next retry to open it
        Path config = dir.resolve("keel.yml");
        Files.writeString(config, "dbs:\n"
                + "  - path: " + other + "\n    replicas:\n      - path: " + dir.resolve("r-other") + "\n"
                + "  - path: " + db + "\n    monitor-interval: 1h\n" // no retry to open it comes before the child exits
                + "    replicas:\n      - path: " + dir.resolve("r-app") + "\n");
        String child = "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
                + System.getProperty("java.class.path") + "' " + CreateDatabaseAndExit.class.getName() + " " + db;
        KeelProcess p = KeelProcess.start("replicate", "-config", config.toString(), "-exec", child);
        assertThat(p.awaitExit()).as(p.log()).isZero();
        Path out = dir.resolve("restored.db");
        Restorer.configure().from(new FileReplicaClient(dir.resolve("r-app"))).output(out).restore();
        assertThat(rows(out)).as(p.log()).containsExactly("written by the child");
    }

    @Test
    void withExecADatabaseTheChildCreatesOnFirstStartIsAwaitedNotRefused() throws Exception {
        Path db = dir.resolve("app.db"); // a fresh volume: the application creates its database when it starts
        Path replica = dir.resolve("backup");
        String child = "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
                + System.getProperty("java.class.path") + "' " + CreateDatabaseAndExit.class.getName() + " " + db;
        KeelProcess p = KeelProcess.start("replicate", "-exec", child, db.toString(), replica.toString());
        assertThat(p.awaitExit()).as(p.log()).isZero();
        Path out = dir.resolve("restored.db");
        Restorer.configure().from(new FileReplicaClient(replica)).output(out).restore();
        assertThat(rows(out)).as(p.log()).containsExactly("written by the child");
    }

    @Test
    void swappedArgumentsCreateNothingWhereTheDatabaseBelongs() {
        // keel replicate REPLICA DB instead of DB REPLICA, before the application created its database:
        // no replica directory may appear at the database's path (the application could not create it).
        Path db = dir.resolve("app.db");
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("replicate", dir.resolve("backup").toString(), db.toString());
        assertThat(status).isEqualTo(66);
        assertThat(err.toString()).contains("database does not exist").contains("backup");
        assertThat(db).doesNotExist();
    }

    @Test
    void missingDatabaseAndMissingReplicaAreUsageErrors() {
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("replicate", dir.resolve("nope.db").toString(), dir.resolve("r").toString());
        assertThat(status).isEqualTo(66);
        assertThat(err.toString()).contains("database does not exist").contains("nope.db").contains("hint:");

        StringWriter err2 = new StringWriter();
        int status2 = Keel.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err2))
                .execute("replicate", dir.resolve("app.db").toString());
        assertThat(status2).isEqualTo(64);
        assertThat(err2.toString()).contains("no replica URL");
        assertThat(Files.exists(dir.resolve("app.db"))).isFalse();
    }

    @Test
    void overlappingReplicaUrlsOfOneDatabaseAreRefusedBeforeAnythingStarts() throws Exception {
        Path db = walDatabase(dir, "app.db");
        Path replica = dir.resolve("backup");
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("replicate", db.toString(), replica.toUri().toString(), replica.resolve("nested").toString());
        assertThat(status).as(err.toString()).isEqualTo(65);
        assertThat(err.toString()).contains("replica 'file' of " + db).contains("replica 'file-2' of " + db)
                .contains("overlapping locations").contains("hint: ");
        assertThat(replica).doesNotExist();
        assertThat(dir.resolve(".app.db-keel")).doesNotExist();
    }
}
